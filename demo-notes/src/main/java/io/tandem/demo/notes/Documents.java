package io.tandem.demo.notes;

import io.tandem.crdt.Crdt;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.MvRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.OrSet;
import io.tandem.replication.Replica;
import io.tandem.replication.Write;
import io.tandem.replication.WriteContext;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One replicated object of documents ("notes", "contacts", "messages"): an add-wins map from id
 * to a map of fields. Text fields are multi-value registers, so two devices that change one
 * field while apart both keep their value until someone picks one; tags are an add-wins set;
 * flags are last-writer-wins. Every change is a write through the public {@link Replica} API.
 */
final class Documents {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Replica replica;
  private final String object;
  private final Schema schema;

  Documents(Replica replica, String object, Schema schema) {
    this.replica = replica;
    this.object = object;
    this.schema = schema;
  }

  static OrMap<String, OrMap<String, Crdt<?>>> empty() {
    return OrMap.empty();
  }

  static OrMap<String, Crdt<?>> emptyDoc() {
    return OrMap.empty();
  }

  Schema schema() {
    return schema;
  }

  OrMap<String, OrMap<String, Crdt<?>>> all() {
    return replica.get(object, empty());
  }

  boolean exists(String id) {
    return id != null && all().containsKey(id);
  }

  /** The document, or 404. */
  OrMap<String, Crdt<?>> get(String id) {
    OrMap<String, Crdt<?>> doc = id == null ? null : all().get(id);
    if (doc == null) {
      throw ApiException.notFound(schema.kind(), id);
    }
    return doc;
  }

  /** Ids sort by creation time: they start with the creating device's clock in hex. */
  static String newId() {
    return String.format(Locale.ROOT, "%012x%04x", System.currentTimeMillis(),
        RANDOM.nextInt(0x10000));
  }

  /**
   * Writes a new document of checked values in one write, so that no device ever shows part of
   * it; returns the write.
   */
  Write create(String id, Map<String, Object> values) {
    Write w = write(id, values);
    // An empty document must still hold a dot to exist: write its first field empty.
    return w != null ? w : write(id, Map.of(schema.fields().get(0).name(), ""));
  }

  /**
   * Changes the given fields of an existing document in one write; returns it, or null if no
   * field changes.
   */
  Write patch(String id, Map<String, Object> values) {
    get(id);
    return write(id, values);
  }

  Write delete(String id) {
    get(id);
    return replica.update(object, empty(), (docs, w) -> docs.remove(id));
  }

  /** One field of a document changed to its new value: the delta of that change. */
  private interface FieldChange {
    OrMap<String, Crdt<?>> delta(OrMap<String, Crdt<?>> doc, WriteContext w);
  }

  /**
   * Writes the fields of {@code values} that change anything, in schema order, as one write: its
   * delta is the join of each field's delta, each taken on the document with the fields before
   * it applied. Returns the write, or null if nothing changes.
   */
  Write write(String id, Map<String, Object> values) {
    OrMap<String, Crdt<?>> doc = all().get(id);
    List<FieldChange> changes = new ArrayList<>();
    for (Schema.Field f : schema.fields()) {
      if (values.containsKey(f.name())) {
        changes.addAll(changes(doc, f, values.get(f.name())));
      }
    }
    if (changes.isEmpty()) {
      return null;
    }
    return replica.update(object, empty(), (docs, w) -> {
      OrMap<String, OrMap<String, Crdt<?>>> state = docs;
      OrMap<String, OrMap<String, Crdt<?>>> delta = null;
      for (FieldChange c : changes) {
        OrMap<String, OrMap<String, Crdt<?>>> d =
            state.update(w.replica(), id, emptyDoc(), current -> c.delta(current, w));
        state = state.merge(d);
        delta = delta == null ? d : delta.merge(d);
      }
      return delta;
    });
  }

  /** What setting field {@code f} to {@code value} changes: nothing, or one or more deltas. */
  private static List<FieldChange> changes(OrMap<String, Crdt<?>> doc, Schema.Field f,
      Object value) {
    String name = f.name();
    switch (f.type()) {
      case TEXT: {
        String s = (String) value;
        MvRegister<String> now = doc == null ? MvRegister.empty()
            : doc.get(name, MvRegister.<String>empty());
        if (now.values().equals(List.of(s))) {
          return List.of();
        }
        return List.of((d, w) -> d.update(w.replica(), name, MvRegister.<String>empty(),
            r -> r.assign(w.replica(), s)));
      }
      case FLAG: {
        Boolean b = (Boolean) value;
        LwwRegister<Boolean> now = doc == null ? LwwRegister.empty()
            : doc.get(name, LwwRegister.<Boolean>empty());
        if (b.equals(now.value())) {
          return List.of();
        }
        return List.of((d, w) -> d.update(w.replica(), name, LwwRegister.<Boolean>empty(),
            r -> r.assign(w.hlc(), b)));
      }
      case TAGS: {
        @SuppressWarnings("unchecked")
        Set<String> wanted = (Set<String>) value;
        Set<String> have = doc == null ? Set.of()
            : doc.get(name, OrSet.<String>empty()).elements();
        List<FieldChange> out = new ArrayList<>();
        for (String gone : have) {
          if (!wanted.contains(gone)) {
            out.add((d, w) -> d.update(w.replica(), name, OrSet.<String>empty(),
                t -> t.remove(gone)));
          }
        }
        List<String> added = new ArrayList<>(wanted);
        added.removeAll(have);
        if (!added.isEmpty()) {
          out.add((d, w) -> d.update(w.replica(), name, OrSet.<String>empty(),
              t -> t.addAll(w.replica(), added)));
        }
        return out;
      }
      default:
        throw new IllegalStateException(f.type().name());
    }
  }

  /** The document as JSON; text fields written concurrently list every value in "conflicts". */
  JsonObject toJson(String id, OrMap<String, Crdt<?>> doc) {
    JsonObject out = new JsonObject().put("id", id);
    JsonObject conflicts = new JsonObject();
    for (Schema.Field f : schema.fields()) {
      switch (f.type()) {
        case TEXT: {
          MvRegister<String> r = doc.get(f.name(), MvRegister.<String>empty());
          List<String> values = new ArrayList<>(r.values());
          out.put(f.name(), r.isEmpty() ? "" : r.value());
          if (values.size() > 1) {
            values.sort(null);
            conflicts.put(f.name(), new JsonArray(values));
          }
          break;
        }
        case FLAG: {
          Boolean b = doc.get(f.name(), LwwRegister.<Boolean>empty()).value();
          out.put(f.name(), b != null && b);
          break;
        }
        case TAGS:
          out.put(f.name(), new JsonArray(new ArrayList<>(
              new TreeSet<>(doc.get(f.name(), OrSet.<String>empty()).elements()))));
          break;
        default:
          throw new IllegalStateException(f.type().name());
      }
    }
    out.put("conflicts", conflicts);
    return out;
  }

  /** Every document as JSON, newest first. */
  List<JsonObject> list() {
    List<JsonObject> out = new ArrayList<>();
    OrMap<String, OrMap<String, Crdt<?>>> docs = all();
    List<String> ids = new ArrayList<>(docs.keySet());
    ids.sort(java.util.Comparator.reverseOrder());
    for (String id : ids) {
      out.add(toJson(id, docs.get(id)));
    }
    return out;
  }
}
