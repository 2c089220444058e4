package io.tandem.transport.vertx;

import io.tandem.crdt.Crdt;
import io.tandem.crdt.GCounter;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.MvRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.PnCounter;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.replication.Replica;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.spi.ReplicaStore;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What a replica holds: its vector, every object encoded, and every stored feed. */
record ReplicaState(VersionVector vector, Map<String, String> objects,
    Map<ReplicaId, List<DeltaRecord>> feeds) {

  static ReplicaState of(Replica r, ReplicaStore store) {
    Map<String, String> objects = new TreeMap<>();
    for (String name : r.objects()) {
      objects.put(name, HexFormat.of().formatHex(BinaryCodec.encode(valueOf(r, name))));
    }
    Map<ReplicaId, List<DeltaRecord>> feeds = new TreeMap<>();
    VersionVector v = r.vector();
    v.forEach((origin, n) -> feeds.put(origin, store.readFeed(origin, 1, Integer.MAX_VALUE)));
    return new ReplicaState(v, objects, feeds);
  }

  /** The vector and the encoded objects, without the feeds (which compaction may trim). */
  ReplicaState withoutFeeds() {
    return new ReplicaState(vector, objects, Map.of());
  }

  private static final List<Crdt<?>> EMPTIES = List.of(GCounter.empty(), PnCounter.empty(),
      OrSet.empty(), OrMap.empty(), LwwRegister.empty(), MvRegister.empty());

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Crdt<?> valueOf(Replica r, String name) {
    for (Crdt empty : EMPTIES) {
      try {
        return (Crdt<?>) r.get(name, empty);
      } catch (IllegalArgumentException otherType) {
        // try the next
      }
    }
    throw new AssertionError("no CRDT type fits " + name);
  }
}
