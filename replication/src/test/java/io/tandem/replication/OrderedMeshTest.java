package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.replication.sim.LinkConditions;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Over TCP-like links (the simulator's ordered mode), the mesh of our documents: three devices
 * all writing, each record reaches each replica exactly once; and on a chain A - B - C, where A
 * and C never meet, C still gets A's records, through B, within a bounded virtual time.
 */
class OrderedMeshTest {

  private static final int WRITES_EACH = 60;

  @Test
  void inAFullMeshOfThreeAllWritingEachReplicaReceivesEveryRecordExactlyOnce() {
    for (SyncMode mode : SyncMode.values()) {
      for (long seed = 1; seed <= 3; seed++) {
        SimCluster c = new SimCluster(seed, 3, mode, Links.ORDERED);
        c.net.conditionsForAll(LinkConditions.LAN);
        c.settle(10_000);
        writeOnEveryReplica(c, seed, 20_000);
        c.settle(120_000);

        c.assertConverged();
        c.assertMatchesOracle();
        c.checker.assertNoViolation();
        assertThat(c.net.stats().lostInFlight() + c.net.stats().dropped()).isZero();
        for (Replica r : c.replicas) {
          assertThat(r.metrics().duplicates()).as("%s, seed %d: duplicates at %s", mode, seed,
              r.id()).isZero();
          long fromPeers = c.writeOrder.stream().filter(d -> !d.replica().equals(r.id())).count();
          assertThat(fromPeers).isGreaterThan(WRITES_EACH);
          assertThat(r.metrics().applied()).as("records applied from peers at %s", r.id())
              .isEqualTo(fromPeers);
        }
      }
    }
  }

  @Test
  void onAChainTheFarEndGetsTheFirstEndsRecordsThroughTheMiddleInBoundedTime() {
    for (SyncMode mode : SyncMode.values()) {
      SimCluster c = chain(mode, 5);
      long start = c.net.now();
      SplittableRandom work = new SplittableRandom(5);
      for (int i = 0; i < WRITES_EACH; i++) {
        c.net.scheduler().schedule(work.nextLong(10_000), () -> Workload.write(c.replica(0), work));
      }
      // Bounded: the middle holds the far end's records back for one grace at most (its
      // author is connected there), then forwards the feed at once; a few seconds spare.
      c.net.runUntil(start + 10_000 + 5_000);

      assertThat(c.writeOrder).hasSizeGreaterThan(WRITES_EACH / 2);
      assertThat(c.replica(2).vector().total()).as(mode + ": r2 holds r0's records")
          .isEqualTo(c.writeOrder.size());
      c.settle(60_000);
      c.assertConverged();
      c.checker.assertNoViolation();
      assertThat(c.net.stats().link("r0", "r2").frames()).isZero();
      assertThat(c.replica(2).metrics().duplicates()).isZero();
    }
  }

  @Test
  void onceTheEndsOfAChainMeetTheMiddlesCopiesStopAfterAPrune() {
    // The middle went on sending the first end's feed at once after the chain healed into a
    // mesh: each record reached the far end twice (part 2: about one copy per write).
    for (SyncMode mode : SyncMode.values()) {
      SimCluster c = chain(mode, 7);
      SplittableRandom work = new SplittableRandom(7);
      for (int i = 0; i < WRITES_EACH; i++) {
        Workload.write(c.replica(0), work);
        c.net.runUntil(c.net.now() + 100);
      }
      c.settle(30_000);
      c.net.restore("r0", "r2");
      c.settle(30_000);
      long before = c.replica(2).metrics().duplicates();

      for (int i = 0; i < WRITES_EACH; i++) {
        Workload.write(c.replica(0), work);
        c.net.runUntil(c.net.now() + 100);
      }
      c.settle(60_000);

      c.assertConverged();
      c.checker.assertNoViolation();
      assertThat(c.net.stats().link("r0", "r2").frames()).as(mode + ": the ends meet")
          .isPositive();
      assertThat(c.replica(2).metrics().duplicates() - before)
          .as(mode + ": copies of %d records written once the ends met", WRITES_EACH)
          .isLessThanOrEqualTo(WRITES_EACH / 10);
    }
  }

  /** Three replicas on LAN links, settled, with r0 and r2 unable to meet. */
  private static SimCluster chain(SyncMode mode, long seed) {
    SimCluster c = new SimCluster(seed, 3, mode, Links.ORDERED);
    c.net.cut("r0", "r2");
    c.net.conditionsForAll(LinkConditions.LAN);
    c.settle(10_000);
    return c;
  }

  private static void writeOnEveryReplica(SimCluster c, long seed, long span) {
    SplittableRandom work = new SplittableRandom(seed);
    for (int at = 0; at < c.replicas.size(); at++) {
      for (int i = 0; i < WRITES_EACH; i++) {
        int writer = at;
        c.net.scheduler().schedule(work.nextLong(span),
            () -> Workload.write(c.replica(writer), work));
      }
    }
  }
}
