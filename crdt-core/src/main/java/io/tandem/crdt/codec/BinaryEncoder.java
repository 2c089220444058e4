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
import io.tandem.crdt.VersionVector;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Writes one value in binary format v1; see {@link BinaryCodec} for the grammar. */
final class BinaryEncoder {

  private final ByteWriter out = new ByteWriter();
  private final ReplicaTable replicas;

  private BinaryEncoder(ReplicaTable replicas) {
    this.replicas = replicas;
  }

  static byte[] encode(Object value) {
    ValueType type = ValueType.of(Objects.requireNonNull(value, "value"));
    BinaryEncoder e = new BinaryEncoder(ReplicaTable.of(value));
    e.out.u8(type.tag);
    e.out.u8(ValueType.VERSION);
    e.replicas.write(e.out);
    switch (type) {
      case LWW_REGISTER -> e.lwwRegister((LwwRegister<?>) value);
      case MV_REGISTER -> e.mvRegister((MvRegister<?>) value);
      case OR_SET -> e.orSet((OrSet<?>) value);
      case OR_MAP -> e.orMap((OrMap<?, ?>) value);
      case G_COUNTER -> e.vector(((GCounter) value).counts());
      case PN_COUNTER -> e.pnCounter((PnCounter) value);
      case VERSION_VECTOR -> e.vector((VersionVector) value);
      case CAUSAL_CONTEXT -> {
        CausalContext c = (CausalContext) value;
        e.context(c.vector(), c.cloud());
      }
      default -> throw new AssertionError(type);
    }
    return e.out.toByteArray();
  }

  private void lwwRegister(LwwRegister<?> r) {
    if (r.isEmpty()) {
      out.u8(0);
      return;
    }
    out.u8(1);
    hlc(r.timestamp());
    Scalars.write(out, r.value());
  }

  private void mvRegister(MvRegister<?> r) {
    out.u8(r.isDelta() ? 1 : 0);
    context(r.context().vector(), Canonical.cloudOutside(r.context(), r));
    mvEntries(r.entries());
  }

  private void orSet(OrSet<?> s) {
    out.u8(s.isDelta() ? 1 : 0);
    context(s.context().vector(), Canonical.cloudOutside(s.context(), s));
    setEntries(s);
  }

  private void orMap(OrMap<?, ?> m) {
    out.u8(m.isDelta() ? 1 : 0);
    context(m.context().vector(), Canonical.cloudOutside(m.context(), m));
    mapEntries(m);
  }

  private void pnCounter(PnCounter p) {
    vector(p.increments().counts());
    vector(p.decrements().counts());
  }

  private void mvEntries(Map<Dot, ?> entries) {
    out.varint(entries.size());
    for (Dot d : Canonical.sorted(entries.keySet())) {
      dot(d);
      Scalars.write(out, entries.get(d));
    }
  }

  private void setEntries(OrSet<?> s) {
    List<Canonical.Element> elements = Canonical.elements(s);
    out.varint(elements.size());
    for (Canonical.Element e : elements) {
      out.bytes(e.keyBytes());
      dots(e.dots());
    }
  }

  private void mapEntries(OrMap<?, ?> m) {
    List<Canonical.Slot> slots = Canonical.slots(m);
    out.varint(slots.size());
    for (Canonical.Slot s : slots) {
      out.bytes(s.keyBytes());
      out.varint(s.stores().size());
      for (DotStore store : s.stores()) {
        nested(store);
      }
    }
  }

  /** A store inside a map: its kind, then its entries, with no context of its own. */
  private void nested(DotStore store) {
    StoreKind kind = StoreKind.of(store);
    out.u8(kind.tag);
    switch (kind) {
      case MV_REGISTER -> mvEntries(((MvRegister<?>) store).entries());
      case OR_SET -> setEntries((OrSet<?>) store);
      case OR_MAP -> mapEntries((OrMap<?, ?>) store);
      default -> dotFun((DotFun<?>) store, kind);
    }
  }

  private void dotFun(DotFun<?> f, StoreKind kind) {
    Map<Dot, ?> entries = f.entries();
    out.varint(entries.size());
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
          Scalars.write(out, r.value());
        }
        case G_COUNTER -> vector(((GCounter) v).counts());
        default -> pnCounter((PnCounter) v);
      }
    }
  }

  private void context(VersionVector vector, List<Dot> cloud) {
    vector(vector);
    dots(cloud);
  }

  private void vector(VersionVector v) {
    out.varint(v.size());
    for (int i = 0; i < v.size(); i++) {
      out.varint(replicas.indexOf(v.replicaAt(i)));
      out.varint(v.counterAt(i));
    }
  }

  /** A count, then dots in dot order. */
  private void dots(List<Dot> sorted) {
    out.varint(sorted.size());
    for (Dot d : sorted) {
      dot(d);
    }
  }

  private void dot(Dot d) {
    out.varint(replicas.indexOf(d.replica()));
    out.varint(d.counter());
  }

  private void hlc(Hlc h) {
    out.varint(h.wallMillis());
    out.varint(h.logical());
    out.varint(replicas.indexOf(h.replica()));
  }
}
