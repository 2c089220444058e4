package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.OrSet;
import io.tandem.replication.protocol.ProtocolLimits;
import io.tandem.replication.sim.LinkConditions;
import io.tandem.replication.sim.NetworkStats;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A replica that lacks records compacted away everywhere catches up from a snapshot, fetched in
 * verified chunks, and then the tail of the log; a broken transfer resumes where it stopped.
 * Each scenario takes its stores, so storage-h2 runs the same ones on H2 files.
 */
class SnapshotTransferTest {

  private static final long FORGET_AFTER = 60_000;

  private static SimCluster cluster(long seed, int n, int chunkBytes, ClusterStores stores) {
    return new SimCluster(seed, n, SyncMode.BATCH, new long[n],
        c -> c.withCompaction(256, FORGET_AFTER)
            .withLimits(new ProtocolLimits(1 << 20, 10_000, 100_000, chunkBytes)), stores);
  }

  @Test
  void newDeviceCatchesUpFromSnapshotPlusTailWhileOthersWrite() {
    newDeviceCatchesUpFromSnapshotPlusTailWhileOthersWrite(ClusterStores.IN_MEMORY);
  }

  /** The scenario on the given stores: storage-h2 runs it on H2 files. */
  static void newDeviceCatchesUpFromSnapshotPlusTailWhileOthersWrite(ClusterStores stores) {
    SimCluster c = cluster(21, 3, 1024, stores);
    SplittableRandom random = new SplittableRandom(21);
    c.net.setOnline("r2", false); // a device not bought yet: nobody knows of it
    for (int i = 0; i < 400; i++) {
      Workload.write(c.replica(random.nextInt(2)), random);
    }
    c.net.runFor(30_000);
    assertThat(c.logSize(0)).as("everything r0 and r1 hold is stable between them").isZero();

    c.net.setOnline("r2", true);
    for (int i = 0; i < 100; i++) {
      // The others keep writing while the new device fetches.
      Workload.write(c.replica(random.nextInt(2)), random);
      c.net.runFor(50);
    }
    c.settle(120_000);
    c.assertConverged();
    c.assertMatchesOracle();
    c.checker.assertNoViolation();
    assertThat(c.replica(2).transferCounts()[2]).as("snapshots installed by r2").isPositive();
  }

  @Test
  void peerBackAfterForgetAfterGetsSnapshotAndRemovalsDoNotResurrect() {
    peerBackAfterForgetAfterGetsSnapshotAndRemovalsDoNotResurrect(ClusterStores.IN_MEMORY);
  }

  /** The scenario on the given stores: storage-h2 runs it on H2 files. */
  static void peerBackAfterForgetAfterGetsSnapshotAndRemovalsDoNotResurrect(ClusterStores stores) {
    SimCluster c = cluster(22, 3, 1024, stores);
    for (int i = 0; i < 3; i++) {
      String item = "x" + i;
      c.replica(i).update("pins", OrSet.<String>empty(), (s, w) -> s.add(w.replica(), item));
    }
    c.settle(60_000);
    c.net.setOnline("r2", false);
    // While r2 is away, every element it holds is removed, and the removals are compacted away
    // once r2 is forgotten: the log no longer says they happened, only the snapshot's context.
    c.replica(0).update("pins", OrSet.<String>empty(), (s, w) -> s.remove("x0"));
    c.replica(1).update("pins", OrSet.<String>empty(), (s, w) -> s.remove("x1"));
    c.replica(0).update("pins", OrSet.<String>empty(), (s, w) -> s.remove("x2"));
    // r2, offline, adds an element of its own: it must survive.
    c.replica(2).update("pins", OrSet.<String>empty(), (s, w) -> s.add(w.replica(), "y"));
    c.net.runFor(2 * FORGET_AFTER);
    assertThat(c.logSize(0)).as("r0's log once r2 is forgotten").isZero();
    assertThat(c.replica(2).get("pins", OrSet.<String>empty()).elements())
        .containsExactlyInAnyOrder("x0", "x1", "x2", "y");

    c.net.setOnline("r2", true);
    c.settle(120_000);
    c.assertConverged();
    c.checker.assertNoViolation();
    for (Replica r : c.replicas) {
      assertThat(r.get("pins", OrSet.<String>empty()).elements()).as("pins at %s", r.id())
          .containsExactly("y");
    }
    assertThat(c.replica(2).transferCounts()[2]).isPositive();
  }

  @Test
  void interruptedTransferResumesFromTheLastVerifiedChunkEvenAcrossARestart() {
    interruptedTransferResumesFromTheLastVerifiedChunkEvenAcrossARestart(ClusterStores.IN_MEMORY);
  }

  /** The scenario on the given stores: storage-h2 runs it on H2 files. */
  static void interruptedTransferResumesFromTheLastVerifiedChunkEvenAcrossARestart(ClusterStores stores) {
    SimCluster c = cluster(23, 2, 512, stores);
    pinsWhileR1IsAway(c, 300);
    // r1 was never met, so all of it is stable; each run folds a bounded batch.
    c.replica(0).compact();
    assertThat(c.logSize(0)).isPositive();
    c.replica(0).compact();
    assertThat(c.logSize(0)).isZero();
    int chunks = (int) ((c.stores.get(0).snapshotSize() + 511) / 512);
    assertThat(chunks).isGreaterThan(10);

    c.net.setOnline("r1", true);
    // Run until part of the snapshot is verified at r1, then cut it off mid-transfer.
    while (c.replica(1).transferCounts()[0] < chunks / 3) {
      c.net.runFor(1);
    }
    c.net.setOnline("r1", false);
    long verifiedBefore = c.replica(1).transferCounts()[0];
    NetworkStats sentBefore = c.net.stats();
    c.restart(1); // the fetching replica restarts: what it verified is in its store
    c.net.runFor(5_000);
    c.net.setOnline("r1", true);
    c.settle(120_000);
    c.assertConverged();
    long verifiedAfter = c.replica(1).transferCounts()[0];
    assertThat(verifiedBefore + verifiedAfter).as("chunks verified in all").isEqualTo(chunks);
    long resent = c.net.stats().minus(sentBefore).kind("snapshot-chunk").frames();
    // After the restart only the chunks not yet verified travel again (and perhaps one that was
    // in flight at the cut).
    assertThat(resent).isBetween((long) chunks - verifiedBefore,
        (long) chunks - verifiedBefore + 1);
  }

  @Test
  void transferOverALossyLinkVerifiesEveryChunkExactlyOnce() {
    transferOverALossyLinkVerifiesEveryChunkExactlyOnce(ClusterStores.IN_MEMORY);
  }

  /** The scenario on the given stores: storage-h2 runs it on H2 files. */
  static void transferOverALossyLinkVerifiesEveryChunkExactlyOnce(ClusterStores stores) {
    SimCluster c = cluster(24, 2, 256, stores);
    pinsWhileR1IsAway(c, 200);
    while (c.logSize(0) > 0) {
      c.replica(0).compact();
    }
    long chunks = (c.stores.get(0).snapshotSize() + 255) / 256;
    // Half the frames lost, some duplicated, all reordered by up to 200 ms.
    c.net.conditions("r0", "r1", new LinkConditions(0.5, 0.2, 1, 200));
    c.net.setOnline("r1", true);
    c.net.runFor(120_000);
    c.heal();
    c.settle(120_000);
    c.assertConverged();
    long[] counts = c.replica(1).transferCounts();
    assertThat(counts[0]).as("chunks verified").isEqualTo(chunks);
    assertThat(counts[2]).as("snapshots installed").isEqualTo(1);
  }

  /** r0 adds {@code n} pins while r1, never met, is offline. */
  private static void pinsWhileR1IsAway(SimCluster c, int n) {
    c.net.setOnline("r1", false);
    for (int i = 0; i < n; i++) {
      // Names as varied as real ones: the codec deflates large values, and "name-" + i alone
      // would pack into a chunk or two.
      String pin = "element-with-a-long-name-" + i + "-" + Long.toHexString(mix(i))
          + Long.toHexString(mix(~i));
      c.replica(0).update("pins", OrSet.<String>empty(), (s, w) -> s.add(w.replica(), pin));
    }
  }

  /** SplitMix64's finalizer: a fixed, well-spread function of {@code z}. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
