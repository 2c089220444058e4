package io.tandem.demo.notes;

import io.tandem.crdt.Crdt;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.MvRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.OrSet;
import io.tandem.replication.Replica;
import io.tandem.replication.Write;
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

  /** Writes a new document of checked values; returns its last write. */
  Write create(String id, Map<String, Object> values) {
    Write last = null;
    for (Map.Entry<String, Object> e : values.entrySet()) {
      Write w = set(id, schema.field(e.getKey()), e.getValue());
      last = w != null ? w : last;
    }
    if (last == null) {
      // An empty document must still hold a dot to exist: write its first field empty.
      last = set(id, schema.fields().get(0), "");
    }
    return last;
  }

  /** Changes the given fields of an existing document; returns the last write, or null. */
  Write patch(String id, Map<String, Object> values) {
    get(id);
    Write last = null;
    for (Map.Entry<String, Object> e : values.entrySet()) {
      Write w = set(id, schema.field(e.getKey()), e.getValue());
      last = w != null ? w : last;
    }
    return last;
  }

  Write delete(String id) {
    get(id);
    return replica.update(object, empty(), (docs, w) -> docs.remove(id));
  }

  /** Writes one field if it changes anything; returns the write, or null for no change. */
  Write set(String id, Schema.Field f, Object value) {
    OrMap<String, Crdt<?>> doc = all().get(id);
    switch (f.type()) {
      case TEXT: {
        String s = (String) value;
        MvRegister<String> now = doc == null ? MvRegister.empty()
            : doc.get(f.name(), MvRegister.<String>empty());
        if (now.values().equals(List.of(s))) {
          return null;
        }
        return field(id, f.name(), MvRegister.<String>empty(), (r, w) -> r.assign(w, s));
      }
      case FLAG: {
        Boolean b = (Boolean) value;
        LwwRegister<Boolean> now = doc == null ? LwwRegister.empty()
            : doc.get(f.name(), LwwRegister.<Boolean>empty());
        if (b.equals(now.value())) {
          return null;
        }
        return replica.update(object, empty(), (docs, w) -> docs.update(w.replica(), id,
            emptyDoc(), d -> d.update(w.replica(), f.name(), LwwRegister.<Boolean>empty(),
                r -> r.assign(w.hlc(), b))));
      }
      case TAGS: {
        @SuppressWarnings("unchecked")
        Set<String> wanted = (Set<String>) value;
        Set<String> have = doc == null ? Set.of()
            : doc.get(f.name(), OrSet.<String>empty()).elements();
        Write last = null;
        for (String gone : have) {
          if (!wanted.contains(gone)) {
            last = field(id, f.name(), OrSet.<String>empty(), (t, w) -> t.remove(gone));
          }
        }
        List<String> added = new ArrayList<>(wanted);
        added.removeAll(have);
        if (!added.isEmpty()) {
          last = field(id, f.name(), OrSet.<String>empty(), (t, w) -> t.addAll(w, added));
        }
        return last;
      }
      default:
        throw new IllegalStateException(f.type().name());
    }
  }

  /** A mutator of one field that needs only the writing replica's id. */
  private interface FieldMutation<T> {
    T apply(T current, io.tandem.crdt.ReplicaId self);
  }

  private <T extends Crdt<?>> Write field(String id, String name, T empty,
      FieldMutation<T> mutation) {
    return replica.update(object, empty(), (docs, w) -> docs.update(w.replica(), id, emptyDoc(),
        d -> d.update(w.replica(), name, empty, v -> mutation.apply(v, w.replica()))));
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
