package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.tandem.crdt.VersionVector;
import io.tandem.replication.sim.LinkConditions;
import io.tandem.replication.sim.NetworkStats;
import io.tandem.replication.spi.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Frames delayed by days (FAULTS.md, Network: "drop, duplicate, reorder, delay up to days"):
 * after writing under {@link ConvergenceTest}'s faults, the network heals, and for the first
 * few seconds after, while the replicas catch up and write a little more, every frame on every
 * link is held for one to two days (a fifth of them twice). The replicas converge through the
 * frames sent after, write again (removals included), forget each other's sessions, compact
 * and move on; when the held frames finally arrive (hellos, summaries, records and acks of
 * sessions long gone, records compacted away since), nothing changes: the same vectors and the
 * same encoded state as before they came, causal delivery never broken, and traffic falls
 * silent again. Datagram-like links only: an ordered link holds nothing back for days, it breaks.
 *
 * <p>Ticks are 1 s here, not 100 ms, so that two simulated days stay cheap; the sessions' resend
 * waits are unchanged. {@code -Dtandem.schedules=N} runs more schedules (4 by default); a failure
 * prints its seed, and {@code -Dtandem.seed=S} replays exactly that schedule.
 */
class DelayedFramesTest {

  private static final int SCHEDULES = Integer.getInteger("tandem.schedules", 4);
  private static final long DAY = Duration.ofDays(1).toMillis();

  @Test
  void framesDelayedByDaysChangeNothingWhenTheyFinallyArrive() {
    Long replay = Long.getLong("tandem.seed");
    if (replay != null) {
      run(replay);
      return;
    }
    qt().withExamples(SCHEDULES).withShrinkCycles(0).forAll(longs().all())
        .checkAssert(DelayedFramesTest::run);
  }

  private static void run(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int n = 3 + random.nextInt(2);
    SyncMode mode = random.nextBoolean() ? SyncMode.BATCH : SyncMode.INTERACTIVE;
    long forgetAfter = 60 * 60_000;
    SimCluster c = new SimCluster(seed, n, mode, new long[n],
        cfg -> cfg.withTickMillis(1_000).withCompaction(16, forgetAfter));
    long span = 20_000 + random.nextInt(40_000);
    long heldFor = 1_000 + random.nextInt(4_000);
    try {
      List<Scheduler.Cancellable> pending = ConvergenceTest.faults(c, random);
      Workload.schedule(c, n, span, random);
      c.net.runFor(span + 1);
      pending.forEach(Scheduler.Cancellable::cancel);
      c.heal();
      // Every frame of the next few seconds is held for days: the catch-up after the heal and
      // what a few more writes send. No fault comes after, so no held frame is lost on the way.
      NetworkStats atHold = c.net.stats();
      c.net.conditionsForAll(new LinkConditions(0, 0.2, DAY, 2 * DAY));
      for (int i = 0; i < 5; i++) {
        Workload.write(c.replica(random.nextInt(n)), random);
      }
      c.net.runFor(heldFor);
      NetworkStats held = c.net.stats().minus(atHold);
      assertThat(held.sent().frames()).as("frames held for days").isPositive();
      c.net.conditionsForAll(LinkConditions.PERFECT);
      convergeWhileFramesAreHeld(c);
      // Move on while the held frames are still on their way: more writes, then compaction.
      Workload.schedule(c, n, 10_000, random);
      c.net.runFor(10_001);
      convergeWhileFramesAreHeld(c);
      c.net.runFor(2 * forgetAfter);
      c.replicas.forEach(Replica::compact);
      convergeWhileFramesAreHeld(c);
      c.assertConverged();
      c.assertMatchesOracle();
      c.checker.assertNoViolation();
      List<VersionVector> vectors = c.vectors();
      Map<String, byte[]> state = SimCluster.encodedObjects(c.replica(0));
      NetworkStats before = c.net.stats();

      c.net.runUntil(c.net.now() + 2 * DAY);
      NetworkStats late = c.net.stats().minus(before);
      assertThat(late.delivered()).as("held frames delivered days late")
          .isGreaterThanOrEqualTo(held.sent().frames());
      c.settleAndAssertConvergedAndSilent(30 * 60_000);
      assertThat(c.vectors()).isEqualTo(vectors);
      Map<String, byte[]> after = SimCluster.encodedObjects(c.replica(0));
      assertThat(after.keySet()).isEqualTo(state.keySet());
      after.forEach((name, bytes) -> assertThat(bytes).as(name).isEqualTo(state.get(name)));
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("schedule failed; replay with -Dtandem.seed=" + seed + " (" + n
          + " replicas, " + mode + ", frames held for days from the heal for " + heldFor
          + " ms)", e);
    }
  }

  /**
   * Runs until every replica holds the same records with empty buffers and nothing was sent for
   * a while: {@link SimCluster#settle} would wait for the held frames too.
   */
  private static void convergeWhileFramesAreHeld(SimCluster c) {
    long deadline = c.net.now() + 30 * 60_000;
    long quiet = 2 * SimCluster.MAX_BACKOFF + 500;
    while (!(c.sameVectors() && c.buffersEmpty() && c.net.now() - c.net.lastSendTime() > quiet)) {
      if (c.net.now() >= deadline) {
        throw new AssertionError("no convergence while frames are held: " + c.vectors()
            + " buffered " + c.buffered());
      }
      c.net.runFor(1_000);
    }
  }
}
