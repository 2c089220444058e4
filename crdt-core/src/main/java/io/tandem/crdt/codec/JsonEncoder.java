package io.tandem.crdt.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.crdt.CausalContext;
import io.tandem.crdt.Dot;
import io.tandem.crdt.DotFun;
import io.tandem.crdt.DotStore;
import io.tandem.crdt.GCounter;
import io.tandem.crdt.Hlc;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.MvRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.PnCounter;
import io.tandem.crdt.VersionVector;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;

/** Builds the JSON tree of one value in JSON format v1; see {@link JsonCodec}. */
final class JsonEncoder {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private JsonEncoder() {}

  static ObjectNode toJson(Object value) {
    ValueType type = ValueType.of(Objects.requireNonNull(value, "value"));
    ObjectNode o = NODES.objectNode();
    o.put("type", type.jsonName);
    o.put("v", ValueType.VERSION);
    switch (type) {
      case LWW_REGISTER -> lwwBody(o, (LwwRegister<?>) value);
      case MV_REGISTER -> {
        MvRegister<?> r = (MvRegister<?>) value;
        o.put("delta", r.isDelta());
        o.set("context", context(r.context()));
        o.set("entries", mvEntries(r.entries()));
      }
      case OR_SET -> {
        OrSet<?> s = (OrSet<?>) value;
        o.put("delta", s.isDelta());
        o.set("context", context(s.context()));
        o.set("entries", setEntries(s));
      }
      case OR_MAP -> {
        OrMap<?, ?> m = (OrMap<?, ?>) value;
        o.put("delta", m.isDelta());
        o.set("context", context(m.context()));
        o.set("entries", mapEntries(m));
      }
      case G_COUNTER -> o.set("counts", vector(((GCounter) value).counts()));
      case PN_COUNTER -> pnBody(o, (PnCounter) value);
      case VERSION_VECTOR -> o.set("vv", vector((VersionVector) value));
      case CAUSAL_CONTEXT -> {
        CausalContext c = (CausalContext) value;
        o.set("vv", vector(c.vector()));
        o.set("cloud", dots(c.cloud()));
      }
      default -> throw new AssertionError(type);
    }
    return o;
  }

  private static void lwwBody(ObjectNode o, LwwRegister<?> r) {
    if (!r.isEmpty()) {
      o.set("value", scalar(r.value()));
      o.set("hlc", hlc(r.timestamp()));
    }
  }

  private static void pnBody(ObjectNode o, PnCounter p) {
    o.set("increments", vector(p.increments().counts()));
    o.set("decrements", vector(p.decrements().counts()));
  }

  private static ArrayNode mvEntries(Map<Dot, ?> entries) {
    ArrayNode a = NODES.arrayNode();
    for (Dot d : Canonical.sorted(entries.keySet())) {
      ObjectNode e = a.addObject();
      e.set("dot", dot(d));
      e.set("value", scalar(entries.get(d)));
    }
    return a;
  }

  private static ArrayNode setEntries(OrSet<?> s) {
    ArrayNode a = NODES.arrayNode();
    for (Canonical.Element el : Canonical.elements(s)) {
      ObjectNode e = a.addObject();
      e.set("element", scalar(el.element()));
      e.set("dots", dots(el.dots()));
    }
    return a;
  }

  private static ArrayNode mapEntries(OrMap<?, ?> m) {
    ArrayNode a = NODES.arrayNode();
    for (Canonical.Slot slot : Canonical.slots(m)) {
      ObjectNode e = a.addObject();
      e.set("key", scalar(slot.key()));
      ArrayNode values = e.putArray("values");
      for (DotStore s : slot.stores()) {
        values.add(nested(s));
      }
    }
    return a;
  }

  private static ObjectNode nested(DotStore store) {
    StoreKind kind = StoreKind.of(store);
    ObjectNode o = NODES.objectNode();
    o.put("kind", kind.jsonName);
    switch (kind) {
      case MV_REGISTER -> o.set("entries", mvEntries(((MvRegister<?>) store).entries()));
      case OR_SET -> o.set("entries", setEntries((OrSet<?>) store));
      case OR_MAP -> o.set("entries", mapEntries((OrMap<?, ?>) store));
      default -> {
        Map<Dot, ?> entries = ((DotFun<?>) store).entries();
        ArrayNode a = o.putArray("entries");
        for (Dot d : Canonical.sorted(entries.keySet())) {
          ObjectNode e = a.addObject();
          e.set("dot", dot(d));
          e.set("value", embedded(entries.get(d)));
        }
      }
    }
    return o;
  }

  /** The body of an embedded CRDT: its top-level form without "type" and "v". */
  private static ObjectNode embedded(Object value) {
    ObjectNode o = NODES.objectNode();
    if (value instanceof LwwRegister<?> r) {
      if (r.isEmpty()) {
        // Refused as the binary form refuses it, so that both forms hold the same values.
        throw new IllegalArgumentException("cannot encode an empty LwwRegister in a map");
      }
      lwwBody(o, r);
    } else if (value instanceof GCounter g) {
      o.set("counts", vector(g.counts()));
    } else {
      pnBody(o, (PnCounter) value);
    }
    return o;
  }

  static ObjectNode context(CausalContext c) {
    ObjectNode o = NODES.objectNode();
    o.set("vv", vector(c.vector()));
    o.set("cloud", dots(c.cloud()));
    return o;
  }

  static ObjectNode vector(VersionVector v) {
    ObjectNode o = NODES.objectNode();
    v.forEach((r, n) -> o.put(r.toString(), n));
    return o;
  }

  private static ArrayNode dots(Collection<Dot> sorted) {
    ArrayNode a = NODES.arrayNode();
    for (Dot d : sorted) {
      a.add(dot(d));
    }
    return a;
  }

  private static ArrayNode dot(Dot d) {
    return NODES.arrayNode().add(d.replica().toString()).add(d.counter());
  }

  private static ObjectNode hlc(Hlc h) {
    ObjectNode o = NODES.objectNode();
    o.put("wall", h.wallMillis());
    o.put("logical", h.logical());
    o.put("replica", h.replica().toString());
    return o;
  }

  /**
   * A scalar as JSON: strings, booleans and longs as themselves, finite doubles as float tokens
   * (5.0, never 5, so the type survives), and what JSON lacks as a one-field object: {"int":5},
   * {"double":"NaN"}.
   */
  static JsonNode scalar(Object v) {
    if (v instanceof String s) {
      if (!Scalars.isWellFormed(s)) {
        throw new IllegalArgumentException("string with an unpaired surrogate cannot be encoded");
      }
      return NODES.textNode(s);
    }
    if (v instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (v instanceof Long l) {
      return NODES.numberNode(l);
    }
    if (v instanceof Integer i) {
      return NODES.objectNode().put("int", i);
    }
    if (v instanceof Double d) {
      return Double.isFinite(d) ? NODES.numberNode(d)
          : NODES.objectNode().put("double", d.toString());
    }
    throw new IllegalArgumentException("not a scalar: " + v);
  }
}
