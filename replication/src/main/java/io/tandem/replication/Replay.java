package io.tandem.replication;

import io.tandem.crdt.Crdt;
import io.tandem.crdt.Hlc;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.crdt.codec.CodecException;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.spi.ReplicaStore;
import io.tandem.replication.spi.Snapshot;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds a replica's objects from its store: the snapshot, then every record after it. Any
 * order of records gives the same state (deltas commute), so feeds are read one after another.
 */
record Replay(Map<String, Crdt<?>> objects, VersionVector vector, Hlc clock,
    VersionVector snapshotVector) {

  static Replay of(ReplicaStore store, ReplicaId self) {
    Snapshot snapshot = store.snapshot();
    Map<String, Crdt<?>> objects = new HashMap<>();
    for (Map.Entry<String, byte[]> e : snapshot.objects().entrySet()) {
      objects.put(e.getKey(), decode(e.getValue(), e.getKey()));
    }
    VersionVector held = store.vector();
    Hlc last = Hlc.zero(self);
    if (snapshot.clock() != null) {
      // The records behind the snapshot are gone; its clock is what they leave of theirs.
      last = new Hlc(snapshot.clock().wallMillis(), snapshot.clock().logical(), self);
    }
    for (int i = 0; i < held.size(); i++) {
      ReplicaId origin = held.replicaAt(i);
      long next = snapshot.vector().get(origin) + 1;
      while (next <= held.counterAt(i)) {
        List<DeltaRecord> run = store.readFeed(origin, next, 1024);
        if (run.isEmpty()) {
          throw new IllegalStateException("store says feed " + origin + " reaches "
              + held.counterAt(i) + " but holds nothing from " + next);
        }
        for (DeltaRecord r : run) {
          Crdt<?> delta = decode(r);
          // Merge the delta itself into the state: bottom ⊔ delta would be a full state, and
          // merging a full state walks the whole object.
          objects.compute(r.object(), (k, current) -> current == null
              ? Crdts.merge(Crdts.emptyLike(delta), delta) : Crdts.merge(current, delta));
          if (origin.equals(self)) {
            // The clock resumes at least where this replica's last write left it, whatever the
            // wall clock says after the restart.
            last = last.max(r.hlc());
          }
          next = r.seq() + 1;
        }
      }
    }
    return new Replay(objects, held, last, snapshot.vector());
  }

  /** A stored value; the store wrote it, so failing to read it back is damage. */
  static Crdt<?> decode(byte[] bytes, String object) {
    return decode(bytes, null, object);
  }

  /** A stored delta, whose payload leaves the record's origin implicit. */
  static Crdt<?> decode(DeltaRecord r) {
    return decode(r.payload(), r.origin(), r.object());
  }

  private static Crdt<?> decode(byte[] bytes, ReplicaId origin, String object) {
    try {
      Object v = origin == null ? BinaryCodec.decode(bytes) : BinaryCodec.decode(bytes, origin);
      if (Crdts.emptyLike(v) == null) {
        throw new IllegalStateException("stored value of " + object + " is no CRDT: " + v);
      }
      return (Crdt<?>) v;
    } catch (CodecException e) {
      throw new IllegalStateException("stored delta of " + object + " does not decode", e);
    }
  }
}
