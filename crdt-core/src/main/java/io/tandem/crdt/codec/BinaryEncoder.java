package io.tandem.crdt.codec;

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
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes one value in binary format v2; see {@link BinaryCodec} for the grammar. The body is
 * written once in rows; a larger one is also written in columns and deflated, and the smaller of
 * the two is kept. Both forms are one sequence of fields: in rows every field goes to one buffer,
 * in columns each kind of field (keys, dots, clocks, values, the rest) to its own, so that alike
 * bytes sit together where the deflater finds them.
 */
final class BinaryEncoder {

  /** The head bit that tells format v2 from v1, whose first byte is a type tag below it. */
  static final int V2 = 0x80;
  /** The head bit of a value whose origin replica is left out of its table. */
  static final int ORIGIN_IMPLICIT = 0x40;
  /** The head bit of the columnar, deflated form. */
  static final int COLUMNAR = 0x20;
  /** The head bit of a value that writes no replica id, not even a count of none. */
  static final int NO_IDS = 0x10;
  static final int TYPE_BITS = 0x0F;

  /** Smaller row forms are kept as they are: the columns would not pay for their lengths. */
  static final int COLUMNAR_FROM = 64;

  private final ReplicaTable replicas;
  private final boolean columnar;
  private final ByteWriter struct = new ByteWriter();
  private final ByteWriter keys;
  private final ByteWriter dots;
  private final ByteWriter clocks;
  private final ByteWriter values;
  private byte[] lastKey = new byte[0];
  private byte[] lastValue = new byte[0];
  private long lastCounter;
  private long lastWall;

  private BinaryEncoder(ReplicaTable replicas, boolean columnar) {
    this.replicas = replicas;
    this.columnar = columnar;
    keys = columnar ? new ByteWriter() : struct;
    dots = columnar ? new ByteWriter() : struct;
    clocks = columnar ? new ByteWriter() : struct;
    values = columnar ? new ByteWriter() : struct;
  }

  static byte[] encode(Object value, ReplicaId origin) {
    ValueType type = ValueType.of(Objects.requireNonNull(value, "value"));
    ReplicaTable table = ReplicaTable.of(value, origin);
    int head = V2 | type.code | (table.originImplicit() ? ORIGIN_IMPLICIT : 0)
        | (table.written() == 0 ? NO_IDS : 0);

    ByteWriter row = new ByteWriter();
    row.u8(head);
    if (table.written() > 0) {
      table.write(row);
    }
    row.bytes(new BinaryEncoder(table, false).body(type, value).struct);
    if (row.size() < COLUMNAR_FROM) {
      return row.toByteArray();
    }
    BinaryEncoder c = new BinaryEncoder(table, true).body(type, value);
    ByteWriter raw = new ByteWriter();
    if (table.written() > 0) {
      table.write(raw);
    }
    for (ByteWriter column : List.of(c.keys, c.dots, c.clocks, c.values)) {
      raw.varint(column.size());
    }
    for (ByteWriter column : List.of(c.keys, c.dots, c.clocks, c.values, c.struct)) {
      raw.bytes(column);
    }
    byte[] packed = Deflate.pack(raw.toByteArray());
    ByteWriter out = new ByteWriter();
    out.u8(head | COLUMNAR);
    out.varint(raw.size());
    out.bytes(packed);
    // Unpacked, the columns count against the decoder's byte limit as the rows would: never
    // trade rows a default decoder takes for columns it would refuse.
    boolean fits = raw.size() <= Math.max(row.size(), CodecLimits.DEFAULT.maxBytes());
    return fits && out.size() < row.size() ? out.toByteArray() : row.toByteArray();
  }

  private BinaryEncoder body(ValueType type, Object value) {
    switch (type) {
      case LWW_REGISTER -> lwwRegister((LwwRegister<?>) value);
      case MV_REGISTER -> {
        MvRegister<?> r = (MvRegister<?>) value;
        shape(r.isDelta(), r.context(), r, r.entries().size());
        mvEntries(r.entries());
      }
      case OR_SET -> {
        OrSet<?> s = (OrSet<?>) value;
        List<Canonical.Element> elements = Canonical.elements(s, true);
        shape(s.isDelta(), s.context(), s, elements.size());
        setEntries(elements);
      }
      case OR_MAP -> {
        OrMap<?, ?> m = (OrMap<?, ?>) value;
        List<Canonical.Slot> slots = Canonical.slots(m, true);
        shape(m.isDelta(), m.context(), m, slots.size());
        mapEntries(slots);
      }
      case G_COUNTER -> vector(((GCounter) value).counts());
      case PN_COUNTER -> pnCounter((PnCounter) value);
      case VERSION_VECTOR -> vector((VersionVector) value);
      case CAUSAL_CONTEXT -> {
        CausalContext c = (CausalContext) value;
        vector(c.vector());
        dots(c.cloud());
      }
      default -> throw new AssertionError(type);
    }
    return this;
  }

  private void lwwRegister(LwwRegister<?> r) {
    if (r.isEmpty()) {
      struct.u8(0);
      return;
    }
    struct.u8(1);
    hlc(r.timestamp());
    value(r.value());
  }

  /**
   * What a store with a context starts with: one number holding its entry count and which parts
   * of the context are there, then those parts. A delta of one add or update has neither.
   */
  private void shape(boolean delta, CausalContext ctx, DotStore store, int entries) {
    VersionVector vector = ctx.vector();
    List<Dot> cloud = Canonical.cloudOutside(ctx, store);
    struct.varint((long) entries << 3 | (cloud.isEmpty() ? 0 : 4) | (vector.size() == 0 ? 0 : 2)
        | (delta ? 1 : 0));
    if (vector.size() > 0) {
      vector(vector);
    }
    if (!cloud.isEmpty()) {
      dots(cloud);
    }
  }

  private void pnCounter(PnCounter p) {
    vector(p.increments().counts());
    vector(p.decrements().counts());
  }

  private void mvEntries(Map<Dot, ?> entries) {
    for (Dot d : Canonical.sorted(entries.keySet())) {
      dot(d);
      value(entries.get(d));
    }
  }

  private void setEntries(List<Canonical.Element> elements) {
    for (Canonical.Element e : elements) {
      key(e.keyBytes());
      struct.varint(e.dots().size());
      for (Dot d : e.dots()) {
        dot(d);
      }
    }
  }

  private void mapEntries(List<Canonical.Slot> slots) {
    for (Canonical.Slot s : slots) {
      key(s.keyBytes());
      struct.varint(s.stores().size());
      for (DotStore store : s.stores()) {
        nested(store);
      }
    }
  }

  /** A store inside a map: its kind and entry count in one number, then its entries. */
  private void nested(DotStore store) {
    StoreKind kind = StoreKind.of(store);
    switch (kind) {
      case MV_REGISTER -> {
        Map<Dot, ?> entries = ((MvRegister<?>) store).entries();
        nestedHead(kind, entries.size());
        mvEntries(entries);
      }
      case OR_SET -> {
        List<Canonical.Element> elements = Canonical.elements((OrSet<?>) store, true);
        nestedHead(kind, elements.size());
        setEntries(elements);
      }
      case OR_MAP -> {
        List<Canonical.Slot> slots = Canonical.slots((OrMap<?, ?>) store, true);
        nestedHead(kind, slots.size());
        mapEntries(slots);
      }
      default -> dotFun((DotFun<?>) store, kind);
    }
  }

  private void nestedHead(StoreKind kind, int entries) {
    // A store in a map is never empty, so the count starts at one.
    struct.varint((long) (entries - 1) << 4 | kind.tag);
  }

  private void dotFun(DotFun<?> f, StoreKind kind) {
    Map<Dot, ?> entries = f.entries();
    nestedHead(kind, entries.size());
    for (Dot d : Canonical.sorted(entries.keySet())) {
      dot(d);
      Object v = entries.get(d);
      switch (kind) {
        case LWW_REGISTER -> {
          LwwRegister<?> r = (LwwRegister<?>) v;
          if (r.isEmpty()) {
            // The format has no room for it: an update whose mutator wrote nothing.
            throw new IllegalArgumentException("cannot encode an empty LwwRegister under " + d);
          }
          hlc(r.timestamp());
          value(r.value());
        }
        case G_COUNTER -> vector(((GCounter) v).counts());
        default -> pnCounter((PnCounter) v);
      }
    }
  }

  private void vector(VersionVector v) {
    struct.varint(v.size());
    for (int i = 0; i < v.size(); i++) {
      replica(struct, v.replicaAt(i));
      struct.varint(v.counterAt(i));
    }
  }

  /** A count, then dots in dot order. */
  private void dots(List<Dot> sorted) {
    struct.varint(sorted.size());
    for (Dot d : sorted) {
      dot(d);
    }
  }

  /** A dot's counter is written as the step from the dot before it, wherever that was. */
  private void dot(Dot d) {
    replica(dots, d.replica());
    dots.signedVarint(d.counter() - lastCounter);
    lastCounter = d.counter();
  }

  private void hlc(Hlc h) {
    clocks.signedVarint(h.wallMillis() - lastWall);
    lastWall = h.wallMillis();
    clocks.varint(h.logical());
    replica(clocks, h.replica());
  }

  /** A replica's index, left out when the table has only one. */
  private void replica(ByteWriter w, ReplicaId r) {
    if (replicas.size() > 1) {
      w.varint(replicas.indexOf(r));
    }
  }

  private void key(byte[] scalar) {
    if (columnar) {
      FrontCoding.write(keys, lastKey, scalar);
      lastKey = scalar;
    } else {
      keys.bytes(scalar);
    }
  }

  private void value(Object v) {
    if (columnar) {
      byte[] scalar = Scalars.bytes(v, true);
      FrontCoding.write(values, lastValue, scalar);
      lastValue = scalar;
    } else {
      Scalars.write(values, v, true);
    }
  }
}
