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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads one value in binary format v1; see {@link BinaryCodec} for the grammar. It checks that the
 * input is the canonical encoding of its value, then builds the value through the types' public
 * factories, whose own checks decide what is valid.
 */
final class BinaryDecoder {

  /*
   * Stores inside a map are rebuilt under the map's context, which is only known once every
   * store dot has been read (the encoder leaves them out of the cloud). So entries are read into
   * plain maps first ("pending"), and the stores are built bottom-up when the context is whole.
   */

  private final ByteReader in;
  private ReplicaId[] replicas;
  private boolean[] used;
  private final List<Dot> storeDots = new ArrayList<>();

  private record Ctx(VersionVector vector, List<Dot> cloud, int at) {}

  private record Pending(StoreKind kind, Object entries, int at) {}

  private BinaryDecoder(ByteReader in) {
    this.in = in;
  }

  static Object decode(byte[] bytes, int offset, int length, CodecLimits limits,
      Class<?> expected) throws CodecException {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    Objects.requireNonNull(limits, "limits");
    if (length > limits.maxBytes()) {
      throw new CodecException(Reason.LIMIT_EXCEEDED,
          length + " bytes exceed the limit of " + limits.maxBytes());
    }
    BinaryDecoder d = new BinaryDecoder(new ByteReader(bytes, offset, length, limits));
    try {
      return d.value(expected);
    } catch (IllegalArgumentException e) {
      throw new CodecException(Reason.INVALID, e.getMessage() + " before byte " + d.in.offset(), e);
    } catch (RuntimeException e) {
      throw new CodecException(Reason.MALFORMED, e + " before byte " + d.in.offset(), e);
    } catch (StackOverflowError e) {
      // Depth is bounded by the limits; a thread with a tiny stack may still run out.
      throw new CodecException(Reason.LIMIT_EXCEEDED, "nesting too deep for this thread's stack");
    }
  }

  private Object value(Class<?> expected) throws CodecException {
    int tag = in.u8("type");
    ValueType type = ValueType.ofTag(tag);
    if (type == null) {
      throw ByteReader.error(Reason.UNKNOWN_TYPE, "unknown type " + tag, 0);
    }
    int version = in.u8("version");
    if (version != ValueType.VERSION) {
      throw ByteReader.error(Reason.UNSUPPORTED_VERSION,
          type.jsonName + " in version " + version + ", only 1 is supported", 1);
    }
    if (!type.fits(expected)) {
      throw ByteReader.error(Reason.INVALID,
          "a " + type.jsonName + " where a " + expected.getSimpleName() + " was expected", 0);
    }
    readReplicas();
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
    if (!in.atEnd()) {
      throw in.error(Reason.MALFORMED, in.remaining() + " bytes after the value");
    }
    for (int i = 0; i < used.length; i++) {
      if (!used[i]) {
        throw ByteReader.error(Reason.INVALID, "replica " + replicas[i] + " is listed but unused",
            2);
      }
    }
    return value;
  }

  private void readReplicas() throws CodecException {
    int n = in.count("replicas", 8);
    replicas = new ReplicaId[n];
    used = new boolean[n];
    for (int i = 0; i < n; i++) {
      int at = in.offset();
      long id = in.u64("replica id");
      if (id == 0) {
        throw ByteReader.error(Reason.INVALID, "replica id 0", at);
      }
      if (i > 0 && Long.compareUnsigned(id, replicas[i - 1].value()) <= 0) {
        throw ByteReader.error(Reason.INVALID, "replica ids not in strictly ascending order", at);
      }
      replicas[i] = new ReplicaId(id);
    }
  }

  private LwwRegister<Object> lwwRegister() throws CodecException {
    int present = in.u8("presence flag");
    if (present == 0) {
      return LwwRegister.empty();
    }
    if (present != 1) {
      throw in.error(Reason.MALFORMED, "presence flag " + present + " is neither 0 nor 1");
    }
    return LwwRegister.of(hlc(), Scalars.read(in, "register value"));
  }

  private MvRegister<Object> mvRegister() throws CodecException {
    boolean delta = flags();
    Ctx ctx = context();
    int at = in.offset();
    Map<Dot, Object> entries = mvEntries();
    CausalContext full = complete(ctx);
    return valid(at, () -> MvRegister.restore(entries, full, delta));
  }

  private OrSet<Object> orSet() throws CodecException {
    boolean delta = flags();
    Ctx ctx = context();
    int at = in.offset();
    Map<Object, List<Dot>> entries = setEntries(delta);
    CausalContext full = complete(ctx);
    return valid(at, () -> OrSet.restore(entries, full, delta));
  }

  private OrMap<Object, Crdt<?>> orMap() throws CodecException {
    boolean delta = flags();
    Ctx ctx = context();
    int at = in.offset();
    Map<Object, List<Pending>> entries = mapEntries(delta, 1);
    CausalContext full = complete(ctx);
    Map<Object, List<DotStore>> stores = build(entries, full);
    return valid(at, () -> OrMap.restore(stores, full, delta));
  }

  private boolean flags() throws CodecException {
    int f = in.u8("flags");
    if ((f & ~1) != 0) {
      throw ByteReader.error(Reason.MALFORMED, "unknown flag bits " + f, in.offset() - 1);
    }
    return f == 1;
  }

  private Map<Dot, Object> mvEntries() throws CodecException {
    int n = in.count("register entries", 3);
    Map<Dot, Object> m = new LinkedHashMap<>();
    Dot prev = null;
    for (int i = 0; i < n; i++) {
      Dot d = nextDot("entry dot", prev);
      m.put(d, Scalars.read(in, "entry value"));
      storeDots.add(d);
      prev = d;
    }
    return m;
  }

  /** Elements and their dots; an element without dots is a removal, allowed only in deltas. */
  private Map<Object, List<Dot>> setEntries(boolean delta) throws CodecException {
    int n = in.count("set elements", 2);
    Map<Object, List<Dot>> m = new LinkedHashMap<>();
    Key key = new Key();
    for (int i = 0; i < n; i++) {
      Object e = key.next("element");
      int k = in.count("dots of an element", 2);
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

  private Map<Object, List<Pending>> mapEntries(boolean delta, int depth) throws CodecException {
    int n = in.count("map keys", 2);
    Map<Object, List<Pending>> m = new LinkedHashMap<>();
    Key key = new Key();
    for (int i = 0; i < n; i++) {
      Object k = key.next("key");
      int s = in.count("stores of a key", 2);
      if (s == 0 && !delta) {
        throw in.error(Reason.INVALID, "key " + k + " without a value outside a delta");
      }
      List<Pending> stores = new ArrayList<>(s);
      int previous = 0;
      for (int j = 0; j < s; j++) {
        int at = in.offset();
        int tag = in.u8("store kind");
        StoreKind kind = StoreKind.ofTag(tag);
        if (kind == null) {
          throw ByteReader.error(Reason.UNKNOWN_TYPE, "unknown store kind " + tag, at);
        }
        if (tag <= previous) {
          throw ByteReader.error(Reason.INVALID, "stores of key " + k
              + " not in strictly ascending kind order", at);
        }
        previous = tag;
        stores.add(nested(kind, depth, at));
      }
      key.put(m, k, stores);
    }
    return m;
  }

  private Pending nested(StoreKind kind, int depth, int at) throws CodecException {
    Object entries = switch (kind) {
      case MV_REGISTER -> mvEntries();
      case OR_SET -> setEntries(false);
      case OR_MAP -> {
        if (depth >= in.limits().maxDepth()) {
          throw ByteReader.error(Reason.LIMIT_EXCEEDED,
              "maps nested deeper than " + in.limits().maxDepth(), at);
        }
        yield mapEntries(false, depth + 1);
      }
      case LWW_REGISTER -> dotFun(kind, 6);
      case G_COUNTER -> dotFun(kind, 3);
      case PN_COUNTER -> dotFun(kind, 4);
    };
    if (((Map<?, ?>) entries).isEmpty()) {
      throw ByteReader.error(Reason.INVALID, "empty " + kind.jsonName + " inside a map", at);
    }
    return new Pending(kind, entries, at);
  }

  /** A dot function's entries, each a dot and the embedded value it carries. */
  private Map<Dot, Object> dotFun(StoreKind kind, int minBytesEach) throws CodecException {
    int n = in.count(kind.jsonName + " entries", minBytesEach);
    Map<Dot, Object> m = new LinkedHashMap<>();
    Dot prev = null;
    for (int i = 0; i < n; i++) {
      Dot d = nextDot("entry dot", prev);
      Object v = switch (kind) {
        case LWW_REGISTER -> LwwRegister.of(hlc(), Scalars.read(in, "register value"));
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
    int n = in.count("cloud dots", 2);
    List<Dot> cloud = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int dotAt = in.offset();
      Dot d = nextDot("cloud dot", i == 0 ? null : cloud.get(i - 1));
      if (d.counter() - 1 <= v.get(d.replica())) {
        throw ByteReader.error(Reason.INVALID, "cloud dot " + d
            + " is covered by or next to the vector", dotAt);
      }
      cloud.add(d);
    }
    return new Ctx(v, cloud, at);
  }

  private VersionVector vector() throws CodecException {
    int n = in.count("vector entries", 2);
    List<ReplicaId> r = new ArrayList<>(n);
    List<Long> c = new ArrayList<>(n);
    int previous = -1;
    for (int i = 0; i < n; i++) {
      int at = in.offset();
      int index = replicaIndex("vector replica");
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

  /** A dot that must come strictly after {@code prev} in dot order, if there is one. */
  private Dot nextDot(String what, Dot prev) throws CodecException {
    int at = in.offset();
    ReplicaId r = replicas[replicaIndex(what + " replica")];
    long counter = in.varint(what + " counter");
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

  private Hlc hlc() throws CodecException {
    int at = in.offset();
    long wall = in.varint("clock wall time");
    long logical = in.varint("clock logical counter");
    if (logical < 0 || logical > Integer.MAX_VALUE) {
      throw ByteReader.error(Reason.MALFORMED, "clock logical counter "
          + Long.toUnsignedString(logical) + " exceeds 31 bits", at);
    }
    ReplicaId r = replicas[replicaIndex("clock replica")];
    if (wall < 0) {
      throw ByteReader.error(Reason.INVALID, "clock wall time " + Long.toUnsignedString(wall)
          + " exceeds 2^63-1", at);
    }
    return new Hlc(wall, (int) logical, r);
  }

  private int replicaIndex(String what) throws CodecException {
    int i = in.index(what, replicas.length);
    used[i] = true;
    return i;
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
    private int from = -1;
    private int to = -1;

    Object next(String what) throws CodecException {
      int start = in.offset();
      Object k = Scalars.read(in, what);
      int end = in.offset();
      if (from >= 0 && in.compare(from, to, start, end) >= 0) {
        throw ByteReader.error(Reason.INVALID, what + " " + k
            + " not after the previous one in canonical order", start);
      }
      from = start;
      to = end;
      return k;
    }

    <V> void put(Map<Object, V> m, Object k, V v) throws CodecException {
      // Distinct bytes can still be equal keys: every NaN is equal to every other.
      if (m.put(k, v) != null) {
        throw ByteReader.error(Reason.INVALID, "repeated key " + k, from);
      }
    }
  }
}
