package io.tandem.replication;

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
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.spi.ReplicaStore;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a replica holds: its vector, every object encoded, and every record, in the log or folded
 * into the snapshot ({@code folded} is the snapshot's vector; compaction may have run). The
 * hostile-input tests compare it before and after an attack, here and in vertx-transport (through
 * the test-jar).
 */
public record ReplicaState(VersionVector vector, Map<String, String> objects,
    VersionVector folded, Map<ReplicaId, List<DeltaRecord>> feeds) {

  public static ReplicaState of(Replica r, ReplicaStore store) {
    Map<String, String> objects = new TreeMap<>();
    for (String name : r.objects()) {
      objects.put(name, HexFormat.of().formatHex(BinaryCodec.encode(valueOf(r, name))));
    }
    Map<ReplicaId, List<DeltaRecord>> feeds = new TreeMap<>();
    VersionVector v = r.vector();
    VersionVector folded = store.snapshot().vector();
    // The tail: a store reads nothing from a seq the snapshot covers.
    v.forEach((origin, n) -> feeds.put(origin,
        store.readFeed(origin, folded.get(origin) + 1, Integer.MAX_VALUE)));
    return new ReplicaState(v, objects, folded, feeds);
  }

  /**
   * This state as {@code later} holds it: the same vector and objects, and the same records,
   * less those that {@code later} folded into its snapshot since (an honest peer's acks let
   * compaction move them; that loses and adds nothing).
   */
  public ReplicaState foldedAs(ReplicaState later) {
    if (!later.folded.descends(folded) || !vector.descends(later.folded)) {
      return this; // folded back, or past what is held: left for the equality to report
    }
    Map<ReplicaId, List<DeltaRecord>> tails = new TreeMap<>();
    feeds.forEach((origin, feed) -> tails.put(origin, feed.stream()
        .filter(d -> d.seq() > later.folded.get(origin)).toList()));
    return new ReplicaState(vector, objects, later.folded, tails);
  }

  /** The vector and the encoded objects, without the feeds (which compaction may trim). */
  public ReplicaState withoutFeeds() {
    return new ReplicaState(vector, objects, VersionVector.empty(), Map.of());
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
