package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.tandem.crdt.Dot;
import io.tandem.crdt.ReplicaId;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.spi.ReplicaStore;
import io.tandem.replication.spi.Scheduler;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A wiped device recovers while the others keep writing (FAULTS.md, Identity: "wiped device
 * recovers from a trusted device while others keep writing"; riak_kv#679): 3 or 4 replicas
 * write under {@link ConvergenceTest}'s fault schedules, and partway one device loses its store
 * and comes back empty under a new id. It ends with every record, its own old feed's records
 * that the others held included (as records of another origin), and equals them; the others
 * lose nothing; no record under the old id is ever written again (no dot reissued, every copy
 * of an old-id record is the one first written), and traffic falls silent.
 *
 * <p>Records only the wiped device held die with it, and any of its later records with them
 * (a feed is gap-free): the oracle leaves out the old feed above the counter all replicas end
 * with, and the test checks that counter is at least what any other replica had applied when
 * the wipe came.
 *
 * <p>Known gap, found here (2026-11-24): a record of the old feed that reached a replica out of
 * order, behind one that died with the wipe, waits in that replica's causal buffer for good
 * (seed -9223372036854775808: r2 holds record 46 of the old id, whose 45 is gone). Nothing is
 * lost or shown wrongly and traffic still stops, but the buffer never empties: only a retired-id
 * set (FAULTS-COVERAGE "first to do" 3) would let it drop the record. {@link SimCluster#stranded}
 * allows exactly those records and no others; the count of such schedules is printed.
 *
 * <p>{@code -Dtandem.schedules=N} runs more schedules (30 by default); a failure prints its seed,
 * and {@code -Dtandem.seed=S} replays exactly that schedule.
 */
class WipedDeviceTest {

  private static final int SCHEDULES = Integer.getInteger("tandem.schedules", 30);
  private static final AtomicInteger STRANDED = new AtomicInteger();

  @Test
  void wipedDeviceRecoversEveryRecordWhileOthersWriteAndNoOldDotIsReissued() {
    Long replay = Long.getLong("tandem.seed");
    if (replay != null) {
      run(replay);
      return;
    }
    int[] recovered = {0};
    qt().withExamples(SCHEDULES).withShrinkCycles(0).forAll(longs().all())
        .checkAssert(seed -> recovered[0] += run(seed) ? 1 : 0);
    System.out.printf("wiped device got back records of its old feed in %d of %d schedules;"
        + " records of the old feed stranded in a buffer in %d%n", recovered[0], SCHEDULES,
        STRANDED.get());
    if (SCHEDULES >= 20) {
      assertThat(recovered[0]).as("schedules where the old feed had records to get back")
          .isPositive();
    }
  }

  /** @return whether the wiped device got back records of its old feed from the others */
  private static boolean run(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int n = 3 + random.nextInt(2);
    int victim = random.nextInt(n);
    Links links = random.nextInt(3) == 0 ? Links.ORDERED : Links.UNORDERED;
    SyncMode mode = random.nextBoolean() ? SyncMode.BATCH : SyncMode.INTERACTIVE;
    SimCluster c = new SimCluster(seed, n, mode, new long[n], ConvergenceTest.compaction(seed),
        ClusterStores.IN_MEMORY, -1, links);
    ReplicaId old = c.replica(victim).id();
    long span = 20_000 + random.nextInt(60_000);
    long wipeAt = span / 4 + random.nextLong(span / 2);
    long[] heldElsewhere = {0};
    try {
      List<Scheduler.Cancellable> pending = ConvergenceTest.faults(c, random);
      pending.add(c.net.scheduler().schedule(wipeAt, () -> {
        for (int i = 0; i < n; i++) {
          if (i != victim) {
            heldElsewhere[0] = Math.max(heldElsewhere[0], c.replica(i).vector().get(old));
          }
        }
        c.wipe(victim);
      }));
      Workload.schedule(c, n, span, random);
      c.net.runFor(span + 1);
      pending.forEach(Scheduler.Cancellable::cancel);
      c.heal();
      c.settle(30 * 60_000);

      long kept = c.replica(0).vector().get(old);
      long written = c.writeOrder.stream().filter(d -> d.replica().equals(old)).count();
      assertThat(kept).as("old feed kept, of %d written", written)
          .isGreaterThanOrEqualTo(heldElsewhere[0]).isLessThanOrEqualTo(written);
      int all = c.writeOrder.size();
      c.writeOrder.removeIf(d -> d.replica().equals(old) && d.counter() > kept);
      c.settleAndAssertConvergedAndSilent(60_000);
      assertThat(c.checker.writes()).isEqualTo(all);

      Replica back = c.replica(victim);
      assertThat(back.id()).as("the wiped device's id").isNotEqualTo(old);
      assertThat(back.vector().get(old)).as("its old feed, as others held it").isEqualTo(kept);
      for (int i = 0; i < n; i++) {
        assertEveryRecordIsTheOneWritten(c, c.stores.get(i), old);
      }
      if (c.replicas.stream().anyMatch(r -> r.metrics().bufferedDeltas() > 0)) {
        STRANDED.incrementAndGet();
      }
      return kept > 0;
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("schedule failed; replay with -Dtandem.seed=" + seed + " (r"
          + victim + " of " + n + " wiped at " + wipeAt + " of " + span + ", " + mode + ", "
          + links + " links)", e);
    }
  }

  /** Every record of {@code origin} in {@code store}'s log is the one first written there. */
  private static void assertEveryRecordIsTheOneWritten(SimCluster c, ReplicaStore store,
      ReplicaId origin) {
    long from = store.snapshot().vector().get(origin) + 1;
    long to = store.vector().get(origin);
    while (from <= to) {
      List<DeltaRecord> run = store.readFeed(origin, from, 1024);
      assertThat(run).as("records of %s from %d", origin, from).isNotEmpty();
      for (DeltaRecord r : run) {
        DeltaRecord first = c.written.get(new Dot(origin, r.seq()));
        assertThat(first).as("record %d of %s was written", r.seq(), origin).isNotNull();
        assertThat(r.payload()).as("record %d of %s", r.seq(), origin)
            .isEqualTo(first.payload());
        assertThat(r.deps()).isEqualTo(first.deps());
      }
      from += run.size();
    }
  }
}
