package io.tandem.crdt.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.crdt.CausalContext;
import io.tandem.crdt.Crdt;
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
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.crdt.codec.CodecException.Reason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Reads a value from its JSON tree in JSON format v1; see {@link JsonCodec}. Entries may come in
 * any order, for people who edit the text, but nothing may repeat, and the context must be in
 * compact form. Values are built through the types' public factories, whose checks decide what
 * is valid.
 */
final class JsonDecoder {

  private static final Pattern REPLICA = Pattern.compile("[0-9a-f]{16}");

  private final Budget budget;

  private JsonDecoder(CodecLimits limits) {
    this.budget = new Budget(limits);
  }

  static Object decode(JsonNode node, CodecLimits limits, Class<?> expected)
      throws CodecException {
    Objects.requireNonNull(node, "node");
    try {
      return new JsonDecoder(Objects.requireNonNull(limits, "limits")).value(node, expected);
    } catch (IllegalArgumentException e) {
      throw new CodecException(Reason.INVALID, String.valueOf(e.getMessage()), e);
    } catch (RuntimeException e) {
      throw new CodecException(Reason.MALFORMED, e.toString(), e);
    } catch (StackOverflowError e) {
      throw new CodecException(Reason.LIMIT_EXCEEDED, "nesting too deep for this thread's stack");
    }
  }

  private Object value(JsonNode node, Class<?> expected) throws CodecException {
    Path root = Path.ROOT;
    ObjectNode o = object(node, root);
    String name = text(field(o, "type", root), root.field("type"));
    ValueType type = ValueType.ofName(name);
    if (type == null) {
      throw error(Reason.UNKNOWN_TYPE, "unknown type \"" + name + "\"", root.field("type"));
    }
    long version = integer(field(o, "v", root), root.field("v"));
    if (version != ValueType.VERSION) {
      throw error(Reason.UNSUPPORTED_VERSION,
          type.jsonName + " in version " + version + ", only 1 is supported", root.field("v"));
    }
    if (!type.fits(expected)) {
      throw error(Reason.INVALID,
          "a " + type.jsonName + " where a " + expected.getSimpleName() + " was expected", root);
    }
    switch (type) {
      case LWW_REGISTER:
        only(o, root, "type", "v", "value", "hlc");
        return lwwBody(o, root);
      case G_COUNTER:
        only(o, root, "type", "v", "counts");
        return GCounter.of(vector(field(o, "counts", root), root.field("counts")));
      case PN_COUNTER:
        only(o, root, "type", "v", "increments", "decrements");
        return pnBody(o, root);
      case VERSION_VECTOR:
        only(o, root, "type", "v", "vv");
        return vector(field(o, "vv", root), root.field("vv"));
      case CAUSAL_CONTEXT:
        only(o, root, "type", "v", "vv", "cloud");
        return contextBody(o, root);
      default:
        break;
    }
    only(o, root, "type", "v", "delta", "context", "entries");
    boolean delta = bool(field(o, "delta", root), root.field("delta"));
    Path cp = root.field("context");
    ObjectNode c = object(field(o, "context", root), cp);
    only(c, cp, "vv", "cloud");
    CausalContext ctx = contextBody(c, cp);
    JsonNode entries = field(o, "entries", root);
    Path ep = root.field("entries");
    return switch (type) {
      case MV_REGISTER -> {
        Map<Dot, Object> m = mvEntries(entries, ep);
        yield valid(root, () -> MvRegister.restore(m, ctx, delta));
      }
      case OR_SET -> {
        Map<Object, List<Dot>> m = setEntries(entries, ep, delta);
        yield valid(root, () -> OrSet.restore(m, ctx, delta));
      }
      default -> {
        Map<Object, List<DotStore>> m = mapEntries(entries, ep, delta, ctx, 1);
        yield valid(root, () -> OrMap.<Object, Crdt<?>>restore(m, ctx, delta));
      }
    };
  }

  private LwwRegister<Object> lwwBody(ObjectNode o, Path p) throws CodecException {
    JsonNode v = o.get("value");
    JsonNode h = o.get("hlc");
    if (v == null && h == null) {
      return LwwRegister.empty();
    }
    if (v == null || h == null) {
      throw error(Reason.MALFORMED, "\"value\" and \"hlc\" go together", p);
    }
    return LwwRegister.of(hlc(h, p.field("hlc")), scalar(v, p.field("value")));
  }

  private PnCounter pnBody(ObjectNode o, Path p) throws CodecException {
    GCounter inc = GCounter.of(vector(field(o, "increments", p), p.field("increments")));
    GCounter dec = GCounter.of(vector(field(o, "decrements", p), p.field("decrements")));
    return PnCounter.of(inc, dec);
  }

  private Map<Dot, Object> mvEntries(JsonNode node, Path p) throws CodecException {
    array(node, p);
    budget.take(node.size(), "register entries", "at " + p);
    Map<Dot, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < node.size(); i++) {
      Path ip = p.index(i);
      ObjectNode e = object(node.get(i), ip);
      only(e, ip, "dot", "value");
      Dot d = dot(field(e, "dot", ip), ip.field("dot"));
      if (m.put(d, scalar(field(e, "value", ip), ip.field("value"))) != null) {
        throw error(Reason.INVALID, "repeated dot " + d, ip.field("dot"));
      }
    }
    return m;
  }

  private Map<Object, List<Dot>> setEntries(JsonNode node, Path p, boolean delta)
      throws CodecException {
    array(node, p);
    budget.take(node.size(), "set elements", "at " + p);
    Map<Object, List<Dot>> m = new LinkedHashMap<>();
    for (int i = 0; i < node.size(); i++) {
      Path ip = p.index(i);
      ObjectNode e = object(node.get(i), ip);
      only(e, ip, "element", "dots");
      Object element = scalar(field(e, "element", ip), ip.field("element"));
      List<Dot> dots = dots(field(e, "dots", ip), ip.field("dots"));
      if (dots.isEmpty() && !delta) {
        throw error(Reason.INVALID, "element without dots outside a delta", ip);
      }
      if (m.put(element, dots) != null) {
        throw error(Reason.INVALID, "repeated element " + element, ip.field("element"));
      }
    }
    return m;
  }

  private Map<Object, List<DotStore>> mapEntries(JsonNode node, Path p, boolean delta,
      CausalContext ctx, int depth) throws CodecException {
    array(node, p);
    budget.take(node.size(), "map keys", "at " + p);
    Map<Object, List<DotStore>> m = new LinkedHashMap<>();
    for (int i = 0; i < node.size(); i++) {
      Path ip = p.index(i);
      ObjectNode e = object(node.get(i), ip);
      only(e, ip, "key", "values");
      Object key = scalar(field(e, "key", ip), ip.field("key"));
      Path vp = ip.field("values");
      JsonNode values = array(field(e, "values", ip), vp);
      budget.take(values.size(), "stores", "at " + vp);
      if (values.isEmpty() && !delta) {
        throw error(Reason.INVALID, "key without a value outside a delta", ip);
      }
      List<DotStore> stores = new ArrayList<>();
      for (int j = 0; j < values.size(); j++) {
        stores.add(nested(values.get(j), vp.index(j), ctx, depth));
      }
      if (m.put(key, stores) != null) {
        throw error(Reason.INVALID, "repeated key " + key, ip.field("key"));
      }
    }
    return m;
  }

  /** A store inside a map, rebuilt under the map's context {@code ctx}. */
  private DotStore nested(JsonNode node, Path p, CausalContext ctx, int depth)
      throws CodecException {
    ObjectNode o = object(node, p);
    String name = text(field(o, "kind", p), p.field("kind"));
    StoreKind kind = StoreKind.ofName(name);
    if (kind == null) {
      throw error(Reason.UNKNOWN_TYPE, "unknown store kind \"" + name + "\"", p.field("kind"));
    }
    only(o, p, "kind", "entries");
    JsonNode entries = array(field(o, "entries", p), p.field("entries"));
    if (entries.isEmpty()) {
      throw error(Reason.INVALID, "empty " + name + " inside a map", p);
    }
    Path ep = p.field("entries");
    switch (kind) {
      case MV_REGISTER: {
        Map<Dot, Object> m = mvEntries(entries, ep);
        return valid(p, () -> MvRegister.restore(m, ctx, false));
      }
      case OR_SET: {
        Map<Object, List<Dot>> m = setEntries(entries, ep, false);
        return valid(p, () -> OrSet.restore(m, ctx, false));
      }
      case OR_MAP: {
        if (depth >= budget.limits().maxDepth()) {
          throw error(Reason.LIMIT_EXCEEDED,
              "maps nested deeper than " + budget.limits().maxDepth(), p);
        }
        Map<Object, List<DotStore>> m = mapEntries(entries, ep, false, ctx, depth + 1);
        return valid(p, () -> OrMap.<Object, Crdt<?>>restore(m, ctx, false));
      }
      default:
        return dotFun(kind, entries, ep);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private DotStore dotFun(StoreKind kind, JsonNode entries, Path p) throws CodecException {
    budget.take(entries.size(), kind.jsonName + " entries", "at " + p);
    Map<Dot, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < entries.size(); i++) {
      Path ip = p.index(i);
      ObjectNode e = object(entries.get(i), ip);
      only(e, ip, "dot", "value");
      Dot d = dot(field(e, "dot", ip), ip.field("dot"));
      Path vp = ip.field("value");
      ObjectNode v = object(field(e, "value", ip), vp);
      Object value = switch (kind) {
        case LWW_REGISTER -> {
          only(v, vp, "value", "hlc");
          LwwRegister<Object> r = lwwBody(v, vp);
          if (r.isEmpty()) {
            // As in the binary form, which has no room for it: an update that wrote nothing.
            throw error(Reason.INVALID, "an empty lww-register under a dot", vp);
          }
          yield r;
        }
        case G_COUNTER -> {
          only(v, vp, "counts");
          yield GCounter.of(vector(field(v, "counts", vp), vp.field("counts")));
        }
        default -> {
          only(v, vp, "increments", "decrements");
          yield pnBody(v, vp);
        }
      };
      if (m.put(d, value) != null) {
        throw error(Reason.INVALID, "repeated dot " + d, ip.field("dot"));
      }
    }
    return valid(p, () -> DotFun.of((Map) m));
  }

  /** A context in compact form: no cloud dot covered by or next to the vector, none repeated. */
  private CausalContext contextBody(ObjectNode o, Path p) throws CodecException {
    VersionVector vv = vector(field(o, "vv", p), p.field("vv"));
    Path cp = p.field("cloud");
    List<Dot> cloud = dots(field(o, "cloud", p), cp);
    for (int i = 0; i < cloud.size(); i++) {
      Dot d = cloud.get(i);
      if (d.counter() - 1 <= vv.get(d.replica())) {
        // Not only tidiness: compacting many such dots costs time quadratic in the replicas.
        throw error(Reason.INVALID, "cloud dot " + d + " is covered by or next to the vector",
            cp.index(i));
      }
    }
    return CausalContext.of(vv, cloud);
  }

  private VersionVector vector(JsonNode node, Path p) throws CodecException {
    ObjectNode o = object(node, p);
    budget.take(o.size(), "vector entries", "at " + p);
    List<ReplicaId> replicas = new ArrayList<>(o.size());
    List<Long> counters = new ArrayList<>(o.size());
    for (Map.Entry<String, JsonNode> e : o.properties()) {
      Path ep = p.field(e.getKey());
      ReplicaId r = replica(e.getKey(), ep);
      long n = integer(e.getValue(), ep);
      if (n < 1) {
        throw error(Reason.INVALID, "vector counter " + n + " is not positive", ep);
      }
      replicas.add(r);
      counters.add(n);
    }
    return Vectors.of(replicas, counters);
  }

  /** A list of distinct dots. */
  private List<Dot> dots(JsonNode node, Path p) throws CodecException {
    array(node, p);
    budget.take(node.size(), "dots", "at " + p);
    List<Dot> dots = new ArrayList<>(node.size());
    Set<Dot> seen = new HashSet<>();
    for (int i = 0; i < node.size(); i++) {
      Dot d = dot(node.get(i), p.index(i));
      if (!seen.add(d)) {
        throw error(Reason.INVALID, "repeated dot " + d, p.index(i));
      }
      dots.add(d);
    }
    return dots;
  }

  private Dot dot(JsonNode node, Path p) throws CodecException {
    array(node, p);
    if (node.size() != 2) {
      throw error(Reason.MALFORMED, "a dot is [replica, counter], found " + node.size()
          + " items", p);
    }
    ReplicaId r = replica(text(node.get(0), p.index(0)), p.index(0));
    long counter = integer(node.get(1), p.index(1));
    if (counter < 1) {
      throw error(Reason.INVALID, "dot counter " + counter + " is not positive", p.index(1));
    }
    return new Dot(r, counter);
  }

  private Hlc hlc(JsonNode node, Path p) throws CodecException {
    ObjectNode o = object(node, p);
    only(o, p, "wall", "logical", "replica");
    long wall = integer(field(o, "wall", p), p.field("wall"));
    long logical = integer(field(o, "logical", p), p.field("logical"));
    if (logical != (int) logical) {
      throw error(Reason.MALFORMED, "logical counter " + logical + " exceeds 32 bits",
          p.field("logical"));
    }
    ReplicaId r = replica(text(field(o, "replica", p), p.field("replica")), p.field("replica"));
    return valid(p, () -> new Hlc(wall, (int) logical, r));
  }

  private static ReplicaId replica(String hex, Path p) throws CodecException {
    if (!REPLICA.matcher(hex).matches()) {
      throw error(Reason.MALFORMED, "replica id \"" + hex + "\" is not 16 lowercase hex digits",
          p);
    }
    return valid(p, () -> ReplicaId.parse(hex));
  }

  private Object scalar(JsonNode node, Path p) throws CodecException {
    if (node.isTextual()) {
      String s = node.textValue();
      long max = budget.limits().maxStringBytes();
      if (s.length() > max || (long) s.length() * 3 > max && Scalars.utf8Length(s) > max) {
        throw error(Reason.LIMIT_EXCEEDED, "string longer than " + max + " bytes", p);
      }
      if (!Scalars.isWellFormed(s)) {
        throw error(Reason.MALFORMED, "string with an unpaired surrogate", p);
      }
      return s;
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isIntegralNumber()) {
      return integer(node, p);
    }
    if (node.isFloatingPointNumber()) {
      return node.doubleValue();
    }
    if (node.isObject() && node.size() == 1 && node.has("int")) {
      long v = integer(node.get("int"), p.field("int"));
      if (v != (int) v) {
        throw error(Reason.MALFORMED, "int " + v + " exceeds 32 bits", p.field("int"));
      }
      return (int) v;
    }
    if (node.isObject() && node.size() == 1 && node.has("double")) {
      JsonNode d = node.get("double");
      String s = d.isTextual() ? d.textValue() : "";
      switch (s) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          throw error(Reason.MALFORMED,
              "a {\"double\"} is \"NaN\", \"Infinity\" or \"-Infinity\"", p.field("double"));
      }
    }
    throw error(Reason.MALFORMED, "expected a scalar: a string, boolean, integer, float,"
        + " {\"int\":…} or {\"double\":…}; found " + describe(node), p);
  }

  // --- JSON shapes ---

  private static ObjectNode object(JsonNode node, Path p) throws CodecException {
    if (!node.isObject()) {
      throw error(Reason.MALFORMED, "expected an object, found " + describe(node), p);
    }
    return (ObjectNode) node;
  }

  private static JsonNode array(JsonNode node, Path p) throws CodecException {
    if (!node.isArray()) {
      throw error(Reason.MALFORMED, "expected an array, found " + describe(node), p);
    }
    return node;
  }

  private static JsonNode field(ObjectNode o, String name, Path p) throws CodecException {
    JsonNode n = o.get(name);
    if (n == null) {
      throw error(Reason.MALFORMED, "missing field \"" + name + "\"", p);
    }
    return n;
  }

  /** Refuses fields other than {@code names}, so a typo or a field from a later version shows. */
  private static void only(ObjectNode o, Path p, String... names) throws CodecException {
    Iterator<String> fields = o.fieldNames();
    while (fields.hasNext()) {
      String f = fields.next();
      if (!Arrays.asList(names).contains(f)) {
        throw error(Reason.MALFORMED, "unknown field \"" + f + "\"", p);
      }
    }
  }

  private static String text(JsonNode node, Path p) throws CodecException {
    if (!node.isTextual()) {
      throw error(Reason.MALFORMED, "expected a string, found " + describe(node), p);
    }
    return node.textValue();
  }

  private static boolean bool(JsonNode node, Path p) throws CodecException {
    if (!node.isBoolean()) {
      throw error(Reason.MALFORMED, "expected true or false, found " + describe(node), p);
    }
    return node.booleanValue();
  }

  private static long integer(JsonNode node, Path p) throws CodecException {
    if (!node.isIntegralNumber()) {
      throw error(Reason.MALFORMED, "expected an integer, found " + describe(node), p);
    }
    if (!node.canConvertToLong()) {
      throw error(Reason.MALFORMED, "integer " + node + " exceeds 64 bits", p);
    }
    return node.longValue();
  }

  private static String describe(JsonNode node) {
    return node.isNumber() ? node.numberType() + " " + node : node.getNodeType().toString();
  }

  private static <T> T valid(Path p, Supplier<T> factory) throws CodecException {
    try {
      return factory.get();
    } catch (IllegalArgumentException e) {
      throw error(Reason.INVALID, e.getMessage(), p);
    }
  }

  private static CodecException error(Reason reason, String what, Path p) {
    return new CodecException(reason, what + " at " + p);
  }

  /** Where a node sits, as a JSON path; built as the decoder descends, spelled out on error. */
  private static final class Path {
    static final Path ROOT = new Path(null, null, -1);

    private final Path parent;
    private final String field;
    private final int index;

    private Path(Path parent, String field, int index) {
      this.parent = parent;
      this.field = field;
      this.index = index;
    }

    Path field(String name) {
      return new Path(this, name, -1);
    }

    Path index(int i) {
      return new Path(this, null, i);
    }

    @Override
    public String toString() {
      if (parent == null) {
        return "$";
      }
      return parent + (field != null ? "." + field : "[" + index + "]");
    }
  }
}
