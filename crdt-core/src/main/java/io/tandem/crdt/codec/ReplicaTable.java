package io.tandem.crdt.codec;

import io.tandem.crdt.CausalContext;
import io.tandem.crdt.Dot;
import io.tandem.crdt.DotFun;
import io.tandem.crdt.GCounter;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.MvRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.PnCounter;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The replicas one value mentions, in ascending order, written once at the front of its binary
 * form. Every dot, vector entry and clock then names its replica by a small index instead of
 * eight bytes.
 */
final class ReplicaTable {

  private final ReplicaId[] ids;
  private final Map<ReplicaId, Integer> index = new HashMap<>();
  private final ReplicaId implicit;

  private ReplicaTable(Set<ReplicaId> sorted, ReplicaId origin) {
    ids = sorted.toArray(new ReplicaId[0]);
    for (int i = 0; i < ids.length; i++) {
      index.put(ids[i], i);
    }
    implicit = origin != null && index.containsKey(origin) ? origin : null;
  }

  /**
   * The table of {@code value}; {@code origin}, if the value mentions it, is left implicit (the
   * reader is told it by whatever carries the bytes, such as the record of the origin's feed).
   */
  static ReplicaTable of(Object value, ReplicaId origin) {
    Set<ReplicaId> all = new TreeSet<>();
    collect(value, all);
    return new ReplicaTable(all, origin);
  }

  int indexOf(ReplicaId replica) {
    return index.get(replica);
  }

  int size() {
    return ids.length;
  }

  /** Whether the origin is in the table but not written. */
  boolean originImplicit() {
    return implicit != null;
  }

  /** How many ids {@link #write} writes. */
  int written() {
    return implicit == null ? ids.length : ids.length - 1;
  }

  void write(ByteWriter w) {
    w.varint(written());
    for (ReplicaId r : ids) {
      if (!r.equals(implicit)) {
        w.u64(r.value());
      }
    }
  }

  private static void collect(Object value, Set<ReplicaId> out) {
    if (value instanceof LwwRegister<?> r) {
      if (!r.isEmpty()) {
        out.add(r.timestamp().replica());
      }
    } else if (value instanceof MvRegister<?> r) {
      collect(r.context(), out);
      r.entries().keySet().forEach(d -> out.add(d.replica()));
    } else if (value instanceof OrSet<?> s) {
      collect(s.context(), out);
      s.forEachEntry((e, dots) -> dots.forEach(d -> out.add(d.replica())));
    } else if (value instanceof OrMap<?, ?> m) {
      collect(m.context(), out);
      m.forEachEntry((k, stores) -> stores.forEach(s -> collect(s, out)));
    } else if (value instanceof DotFun<?> f) {
      f.entries().forEach((d, v) -> {
        out.add(d.replica());
        collect(v, out);
      });
    } else if (value instanceof GCounter g) {
      collect(g.counts(), out);
    } else if (value instanceof PnCounter p) {
      collect(p.increments().counts(), out);
      collect(p.decrements().counts(), out);
    } else if (value instanceof VersionVector v) {
      v.forEach((r, n) -> out.add(r));
    } else if (value instanceof CausalContext c) {
      collect(c.vector(), out);
      for (Dot d : c.cloud()) {
        out.add(d.replica());
      }
    } else {
      throw new IllegalArgumentException("cannot encode " + value);
    }
  }
}
