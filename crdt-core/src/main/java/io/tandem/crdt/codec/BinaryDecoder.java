package io.tandem.crdt.codec;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads one value in binary format v1 or v2; see {@link BinaryCodec} for the grammar. It checks
 * that the input is the canonical encoding of its value, then builds the value through the types'
 * public factories, whose own checks decide what is valid.
 */
final class BinaryDecoder {

  /*
   * Stores inside a map are rebuilt under the map's context, which is only known once every
   * store dot has been read (the encoder leaves them out of the cloud). So entries are read into
   * plain maps first ("pending"), and the stores are built bottom-up when the context is whole.
   */

  /*
   * Fields are read from five readers: keys, dots, clocks, values and the rest ("in"). In v1 and
   * in v2's row form they are one reader; in the columnar form each is a column of its own.
   */
  private ByteReader in;
  private ByteReader keys;
  private ByteReader dots;
  private ByteReader clocks;
  private ByteReader values;
  private boolean v2;
  private boolean columnar;
  private byte[] lastKey = new byte[0];
  private byte[] lastValue = new byte[0];
  private long lastCounter;
  private long lastWall;
  private ReplicaId[] replicas;
  private boolean[] used;
  private final List<Dot> storeDots = new ArrayList<>();

  private record Ctx(VersionVector vector, List<Dot> cloud, int at) {}

  private record Pending(StoreKind kind, Object entries, int at) {}

  private BinaryDecoder(ByteReader in) {
    this.in = in;
    keys = dots = clocks = values = in;
  }

  static Object decode(byte[] bytes, int offset, int length, CodecLimits limits,
      Class<?> expected, ReplicaId origin) throws CodecException {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    Objects.requireNonNull(limits, "limits");
    if (length > limits.maxBytes()) {
      throw new CodecException(Reason.LIMIT_EXCEEDED,
          length + " bytes exceed the limit of " + limits.maxBytes());
    }
    BinaryDecoder d = new BinaryDecoder(new ByteReader(bytes, offset, length, limits));
    try {
      return d.value(expected, origin);
    } catch (IllegalArgumentException e) {
      throw new CodecException(Reason.INVALID, e.getMessage() + " before byte " + d.in.offset(), e);
    } catch (RuntimeException e) {
      throw new CodecException(Reason.MALFORMED, e + " before byte " + d.in.offset(), e);
    } catch (StackOverflowError e) {
      // Depth is bounded by the limits; a thread with a tiny stack may still run out.
      throw new CodecException(Reason.LIMIT_EXCEEDED, "nesting too deep for this thread's stack");
    }
  }

  private Object value(Class<?> expected, ReplicaId origin) throws CodecException {
    int head = in.u8("type");
    v2 = (head & BinaryEncoder.V2) != 0;
    int tag = v2 ? head & BinaryEncoder.TYPE_BITS : head;
    ValueType type = v2 ? ValueType.ofCode(tag) : ValueType.ofTag(tag);
    if (type == null) {
      throw ByteReader.error(Reason.UNKNOWN_TYPE, "unknown type " + tag, 0);
    }
    if (!v2) {
      int version = in.u8("version");
      if (version != ValueType.VERSION) {
        throw ByteReader.error(Reason.UNSUPPORTED_VERSION,
            type.jsonName + " in version " + version + ", only 1 and 2 are supported", 1);
      }
    }
    if (!type.fits(expected)) {
      throw ByteReader.error(Reason.INVALID,
          "a " + type.jsonName + " where a " + expected.getSimpleName() + " was expected", 0);
    }
    columnar = v2 && (head & BinaryEncoder.COLUMNAR) != 0;
    if (columnar) {
      ByteReader packed = in;
      in = Deflate.unpack(packed);
      if (!packed.atEnd()) {
        throw packed.error(Reason.MALFORMED, packed.remaining() + " bytes after the value");
      }
    }
    readReplicas(v2 && (head & BinaryEncoder.NO_IDS) != 0,
        v2 && (head & BinaryEncoder.ORIGIN_IMPLICIT) != 0, origin);
    if (columnar) {
      int[] lengths = new int[4];
      for (int i = 0; i < lengths.length; i++) {
        lengths[i] = in.length("column " + i);
      }
      keys = in.split(lengths[0]);
      dots = in.split(lengths[1]);
      clocks = in.split(lengths[2]);
      values = in.split(lengths[3]);
    } else {
      keys = dots = clocks = values = in;
    }
    Object value = switch (type) {
      case LWW_REGISTER -> lwwRegister();
      case MV_REGISTER -> mvRegister();
      case OR_SET -> orSet();
      case OR_MAP -> orMap();
      case G_COUNTER -> GCounter.of(vector());
      case PN_COUNTER -> PnCounter.of(GCounter.of(vector()), GCounter.of(vector()));
      case VERSION_VECTOR -> vector();
      case CAUSAL_CONTEXT -> {
        Ctx c = context();
        yield CausalContext.of(c.vector(), c.cloud());
      }
    };
    for (ByteReader r : List.of(keys, dots, clocks, values, in)) {
      if (!r.atEnd()) {
        throw r.error(Reason.MALFORMED, r.remaining() + " bytes after the value");
      }
    }
    for (int i = 0; i < used.length; i++) {
      if (!used[i]) {
        throw ByteReader.error(Reason.INVALID, "replica " + replicas[i] + " is listed but unused",
            2);
      }
    }
    return value;
  }

  /** The table of replicas; an implicit origin takes its place in the ascending order. */
  private void readReplicas(boolean none, boolean implicit, ReplicaId origin)
      throws CodecException {
    int at = in.offset();
    int n = none ? 0 : in.count("replicas", 8);
    if (v2 && !none && n == 0) {
      throw ByteReader.error(Reason.INVALID, "an empty replica table written out", at);
    }
    List<ReplicaId> ids = new ArrayList<>(n + 1);
    for (int i = 0; i < n; i++) {
      int idAt = in.offset();
      long id = in.u64("replica id");
      if (id == 0) {
        throw ByteReader.error(Reason.INVALID, "replica id 0", idAt);
      }
      if (i > 0 && Long.compareUnsigned(id, ids.get(i - 1).value()) <= 0) {
        throw ByteReader.error(Reason.INVALID, "replica ids not in strictly ascending order",
            idAt);
      }
      ids.add(new ReplicaId(id));
    }
    if (implicit) {
      if (origin == null) {
        throw ByteReader.error(Reason.INVALID,
            "the value leaves its origin replica implicit, and the reader was given none", 0);
      }
      int i = 0;
      while (i < ids.size() && ids.get(i).compareTo(origin) < 0) {
        i++;
      }
      if (i < ids.size() && ids.get(i).equals(origin)) {
        throw ByteReader.error(Reason.INVALID, "implicit origin " + origin + " is also listed",
            at);
      }
      ids.add(i, origin);
    }
    replicas = ids.toArray(new ReplicaId[0]);
    used = new boolean[replicas.length];
  }

  private LwwRegister<Object> lwwRegister() throws CodecException {
    int present = in.u8("presence flag");
    if (present == 0) {
      return LwwRegister.empty();
    }
    if (present != 1) {
      throw in.error(Reason.MALFORMED, "presence flag " + present + " is neither 0 nor 1");
    }
    return LwwRegister.of(hlc(), value("register value"));
  }

  private MvRegister<Object> mvRegister() throws CodecException {
    Shape s = shape();
    int at = in.offset();
    Map<Dot, Object> entries = mvEntries(entries(s, dots, "register entries", 3));
    CausalContext full = complete(s.ctx());
    return valid(at, () -> MvRegister.restore(entries, full, s.delta()));
  }

  private OrSet<Object> orSet() throws CodecException {
    Shape s = shape();
    int at = in.offset();
    Map<Object, List<Dot>> entries = setEntries(entries(s, keys, "set elements", 2), s.delta());
    CausalContext full = complete(s.ctx());
    return valid(at, () -> OrSet.restore(entries, full, s.delta()));
  }

  private OrMap<Object, Crdt<?>> orMap() throws CodecException {
    Shape s = shape();
    int at = in.offset();
    Map<Object, List<Pending>> entries = mapEntries(entries(s, keys, "map keys", 2), s.delta(), 1);
    CausalContext full = complete(s.ctx());
    Map<Object, List<DotStore>> stores = build(entries, full);
    return valid(at, () -> OrMap.restore(stores, full, s.delta()));
  }

  /**
   * What a store with a context starts with. In v1: flags, context, then (read by {@link
   * #entries}) the entry count. In v2: one number with the count and flags for the delta, a
   * vector and a cloud, then the parts flagged.
   */
  private Shape shape() throws CodecException {
    int at = in.offset();
    if (!v2) {
      int f = in.u8("flags");
      if ((f & ~1) != 0) {
        throw ByteReader.error(Reason.MALFORMED, "unknown flag bits " + f, at);
      }
      return new Shape(f == 1, context(), -1, at);
    }
    long h = in.varint("shape");
    VersionVector v = (h & 2) == 0 ? VersionVector.empty() : vector();
    if ((h & 2) != 0 && v.size() == 0) {
      throw ByteReader.error(Reason.INVALID, "an empty vector flagged as present", at);
    }
    List<Dot> cloud = (h & 4) == 0 ? List.of() : cloud(v);
    if ((h & 4) != 0 && cloud.isEmpty()) {
      throw ByteReader.error(Reason.INVALID, "an empty cloud flagged as present", at);
    }
    return new Shape((h & 1) != 0, new Ctx(v, cloud, at), h >>> 3, at);
  }

  /** The start of a store with a context; {@code entries} is -1 where it follows (v1). */
  private record Shape(boolean delta, Ctx ctx, long entries, int at) {}

  /** A shape's entry count, checked against the reader {@code items} they are read from. */
  private int entries(Shape s, ByteReader items, String what, int v1MinBytes)
      throws CodecException {
    return s.entries() < 0 ? in.count(what, v1MinBytes)
        : items.checkCount(s.entries(), what, 1, s.at());
  }

  /**
   * A count of items, read from {@code in} and checked against the reader the items come from;
   * in v1 each item takes at least {@code v1MinBytes}, in v2 at least one byte of that reader.
   */
  private int count(ByteReader items, String what, int v1MinBytes) throws CodecException {
    if (!v2) {
      return in.count(what, v1MinBytes);
    }
    int at = in.offset();
    return items.checkCount(in.varint(what + " count"), what, 1, at);
  }

  private Map<Dot, Object> mvEntries(int n) throws CodecException {
    Map<Dot, Object> m = new LinkedHashMap<>();
    Dot prev = null;
    for (int i = 0; i < n; i++) {
      Dot d = nextDot("entry dot", prev);
      m.put(d, value("entry value"));
      storeDots.add(d);
      prev = d;
    }
    return m;
  }

  /** Elements and their dots; an element without dots is a removal, allowed only in deltas. */
  private Map<Object, List<Dot>> setEntries(int n, boolean delta) throws CodecException {
    Map<Object, List<Dot>> m = new LinkedHashMap<>();
    Key key = new Key();
    for (int i = 0; i < n; i++) {
      Object e = key.next("element");
      int k = count(dots, "dots of an element", 2);
      if (k == 0 && !delta) {
        throw in.error(Reason.INVALID, "element " + e + " without dots outside a delta");
      }
      List<Dot> dots = new ArrayList<>(k);
      for (int j = 0; j < k; j++) {
        dots.add(nextDot("element dot", j == 0 ? null : dots.get(j - 1)));
      }
      storeDots.addAll(dots);
      key.put(m, e, dots);
    }
    return m;
  }

  private Map<Object, List<Pending>> mapEntries(int n, boolean delta, int depth)
      throws CodecException {
    Map<Object, List<Pending>> m = new LinkedHashMap<>();
    Key key = new Key();
    for (int i = 0; i < n; i++) {
      Object k = key.next("key");
      int s = count(in, "stores of a key", 2);
      if (s == 0 && !delta) {
        throw in.error(Reason.INVALID, "key " + k + " without a value outside a delta");
      }
      List<Pending> stores = new ArrayList<>(s);
      int previous = 0;
      for (int j = 0; j < s; j++) {
        int at = in.offset();
        long head = v2 ? in.varint("store kind and count") : in.u8("store kind");
        int tag = v2 ? (int) (head & 0xF) : (int) head;
        StoreKind kind = StoreKind.ofTag(tag);
        if (kind == null) {
          throw ByteReader.error(Reason.UNKNOWN_TYPE, "unknown store kind " + tag, at);
        }
        if (tag <= previous) {
          throw ByteReader.error(Reason.INVALID, "stores of key " + k
              + " not in strictly ascending kind order", at);
        }
        previous = tag;
        stores.add(nested(kind, v2 ? (head >>> 4) + 1 : -1, depth, at));
      }
      key.put(m, k, stores);
    }
    return m;
  }

  /** A store's entries; v2 gave their count ({@code entries}) with the kind, v1 reads it. */
  private Pending nested(StoreKind kind, long entries, int depth, int at) throws CodecException {
    ByteReader items = kind == StoreKind.OR_SET || kind == StoreKind.OR_MAP ? keys : dots;
    int v1MinBytes = switch (kind) {
      case MV_REGISTER, G_COUNTER -> 3;
      case LWW_REGISTER -> 6;
      case PN_COUNTER -> 4;
      default -> 2;
    };
    String what = kind.jsonName + " entries";
    int n = entries < 0 ? in.count(what, v1MinBytes) : items.checkCount(entries, what, 1, at);
    Object read = switch (kind) {
      case MV_REGISTER -> mvEntries(n);
      case OR_SET -> setEntries(n, false);
      case OR_MAP -> {
        if (depth >= in.limits().maxDepth()) {
          throw ByteReader.error(Reason.LIMIT_EXCEEDED,
              "maps nested deeper than " + in.limits().maxDepth(), at);
        }
        yield mapEntries(n, false, depth + 1);
      }
      default -> dotFun(kind, n);
    };
    if (((Map<?, ?>) read).isEmpty()) {
      throw ByteReader.error(Reason.INVALID, "empty " + kind.jsonName + " inside a map", at);
    }
    return new Pending(kind, read, at);
  }

  /** A dot function's entries, each a dot and the embedded value it carries. */
  private Map<Dot, Object> dotFun(StoreKind kind, int n) throws CodecException {
    Map<Dot, Object> m = new LinkedHashMap<>();
    Dot prev = null;
    for (int i = 0; i < n; i++) {
      Dot d = nextDot("entry dot", prev);
      Object v = switch (kind) {
        case LWW_REGISTER -> LwwRegister.of(hlc(), value("register value"));
        case G_COUNTER -> GCounter.of(vector());
        default -> PnCounter.of(GCounter.of(vector()), GCounter.of(vector()));
      };
      m.put(d, v);
      storeDots.add(d);
      prev = d;
    }
    return m;
  }

  /** The stores of each key, rebuilt under {@code ctx}, the whole context of the outer value. */
  private Map<Object, List<DotStore>> build(Map<Object, List<Pending>> entries,
      CausalContext ctx) throws CodecException {
    Map<Object, List<DotStore>> out = new LinkedHashMap<>();
    for (Map.Entry<Object, List<Pending>> e : entries.entrySet()) {
      List<DotStore> stores = new ArrayList<>(e.getValue().size());
      for (Pending p : e.getValue()) {
        stores.add(store(p, ctx));
      }
      out.put(e.getKey(), stores);
    }
    return out;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private DotStore store(Pending p, CausalContext ctx) throws CodecException {
    Object entries = p.entries();
    switch (p.kind()) {
      case MV_REGISTER:
        return valid(p.at(), () -> MvRegister.restore((Map<Dot, Object>) entries, ctx, false));
      case OR_SET:
        return valid(p.at(), () -> OrSet.restore((Map<Object, List<Dot>>) entries, ctx, false));
      case OR_MAP:
        Map<Object, List<DotStore>> inner = build((Map<Object, List<Pending>>) entries, ctx);
        return valid(p.at(), () -> OrMap.restore(inner, ctx, false));
      default:
        return valid(p.at(), () -> DotFun.of((Map) entries));
    }
  }

  /**
   * The value's whole context: the one read plus every store dot, which the encoder left out of
   * the cloud. Anything the encoder would have written differently is refused, so that each value
   * has one encoding: a cloud dot that is also in the store, or a store dot that would extend the
   * vector.
   */
  private CausalContext complete(Ctx ctx) throws CodecException {
    Set<Dot> cloud = new HashSet<>(ctx.cloud());
    List<Dot> all = new ArrayList<>(ctx.cloud());
    for (Dot d : storeDots) {
      if (cloud.contains(d)) {
        throw ByteReader.error(Reason.INVALID, "cloud dot " + d
            + " is also in the store, where it must be left implicit", ctx.at());
      }
      long have = ctx.vector().get(d.replica());
      if (d.counter() - 1 == have) {
        throw ByteReader.error(Reason.INVALID, "store dot " + d
            + " continues the vector, which must then include it", ctx.at());
      }
      if (d.counter() > have) {
        all.add(d);
      }
    }
    return CausalContext.of(ctx.vector(), all);
  }

  /** A vector and the canonical cloud beyond it: no dot covered by or next to the vector. */
  private Ctx context() throws CodecException {
    int at = in.offset();
    VersionVector v = vector();
    return new Ctx(v, cloud(v), at);
  }

  private List<Dot> cloud(VersionVector v) throws CodecException {
    int n = count(dots, "cloud dots", 2);
    List<Dot> cloud = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int dotAt = dots.offset();
      Dot d = nextDot("cloud dot", i == 0 ? null : cloud.get(i - 1));
      if (d.counter() - 1 <= v.get(d.replica())) {
        throw ByteReader.error(Reason.INVALID, "cloud dot " + d
            + " is covered by or next to the vector", dotAt);
      }
      cloud.add(d);
    }
    return cloud;
  }

  private VersionVector vector() throws CodecException {
    int n = count(in, "vector entries", 2);
    List<ReplicaId> r = new ArrayList<>(n);
    List<Long> c = new ArrayList<>(n);
    int previous = -1;
    for (int i = 0; i < n; i++) {
      int at = in.offset();
      int index = replicaIndex(in, "vector replica");
      if (index <= previous) {
        throw ByteReader.error(Reason.INVALID, "vector entries not in strictly ascending order",
            at);
      }
      previous = index;
      long counter = in.varint("vector counter");
      if (counter < 1) {
        throw ByteReader.error(Reason.INVALID, "vector counter "
            + Long.toUnsignedString(counter) + " is not in 1..2^63-1", at);
      }
      r.add(replicas[index]);
      c.add(counter);
    }
    return Vectors.of(r, c);
  }

  /**
   * A dot that must come strictly after {@code prev} in dot order, if there is one. In v2 its
   * counter is the step from the dot read before it.
   */
  private Dot nextDot(String what, Dot prev) throws CodecException {
    int at = dots.offset();
    ReplicaId r = replicas[replicaIndex(dots, what + " replica")];
    long counter = v2 ? Math.addExact(lastCounter, dots.signedVarint(what + " counter"))
        : dots.varint(what + " counter");
    lastCounter = counter;
    if (counter < 1) {
      throw ByteReader.error(Reason.INVALID, what + " counter " + Long.toUnsignedString(counter)
          + " is not in 1..2^63-1", at);
    }
    Dot d = new Dot(r, counter);
    if (prev != null && d.compareTo(prev) <= 0) {
      throw ByteReader.error(Reason.INVALID, what + " " + d + " not after " + prev, at);
    }
    return d;
  }

  /** A clock; in v2 its wall time is the step from the clock read before it. */
  private Hlc hlc() throws CodecException {
    int at = clocks.offset();
    long wall = v2 ? Math.addExact(lastWall, clocks.signedVarint("clock wall time"))
        : clocks.varint("clock wall time");
    lastWall = wall;
    long logical = clocks.varint("clock logical counter");
    if (logical < 0 || logical > Integer.MAX_VALUE) {
      throw ByteReader.error(Reason.MALFORMED, "clock logical counter "
          + Long.toUnsignedString(logical) + " exceeds 31 bits", at);
    }
    ReplicaId r = replicas[replicaIndex(clocks, "clock replica")];
    if (wall < 0) {
      throw ByteReader.error(Reason.INVALID, "clock wall time " + Long.toUnsignedString(wall)
          + " exceeds 2^63-1", at);
    }
    return new Hlc(wall, (int) logical, r);
  }

  /** An index into the replica table, which v2 leaves out when the table has one entry. */
  private int replicaIndex(ByteReader from, String what) throws CodecException {
    int i = v2 && replicas.length == 1 ? 0 : from.index(what, replicas.length);
    used[i] = true;
    return i;
  }

  /** A register's value: a scalar, front-coded in the columnar form. */
  private Object value(String what) throws CodecException {
    if (!columnar) {
      return Scalars.read(values, what, v2);
    }
    lastValue = FrontCoding.read(values, lastValue, what);
    return FrontCoding.scalar(lastValue, in.budget(), what);
  }

  private static <T> T valid(int at, Supplier<T> factory) throws CodecException {
    try {
      return factory.get();
    } catch (IllegalArgumentException e) {
      throw ByteReader.error(Reason.INVALID, e.getMessage(), at);
    }
  }

  /**
   * Reads keys that must come in strictly ascending order of their encoded bytes, compared on
   * the input itself, and refuses one that repeats.
   */
  private final class Key {
    private byte[] last;

    Object next(String what) throws CodecException {
      int start = keys.offset();
      Object k;
      byte[] b;
      if (columnar) {
        b = lastKey = FrontCoding.read(keys, lastKey, what);
        k = FrontCoding.scalar(b, in.budget(), what);
      } else {
        k = Scalars.read(keys, what, v2);
        b = keys.copy(start, keys.offset());
      }
      if (last != null && Arrays.compareUnsigned(last, b) >= 0) {
        throw ByteReader.error(Reason.INVALID, what + " " + k
            + " not after the previous one in canonical order", start);
      }
      last = b;
      return k;
    }

    <V> void put(Map<Object, V> m, Object k, V v) throws CodecException {
      // Distinct bytes can still be equal keys: every NaN is equal to every other.
      if (m.put(k, v) != null) {
        throw ByteReader.error(Reason.INVALID, "repeated key " + k, keys.offset());
      }
    }
  }
}
