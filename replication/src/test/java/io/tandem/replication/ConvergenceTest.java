package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.tandem.replication.protocol.ProtocolLimits;
import io.tandem.replication.sim.LinkConditions;
import io.tandem.replication.sim.NetworkStats;
import io.tandem.replication.spi.Scheduler;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Replicas converge whatever the network does: 2 to 5 of them write concurrently while links
 * drop up to 90% of frames, duplicate, reorder and delay them, partitions come and go, and nodes
 * go offline; clocks may be far off. After the network heals and goes quiet, every replica holds
 * the same records and the same state, that state is what replaying every write gives, causal
 * delivery was never broken, buffers are empty and traffic has stopped.
 *
 * <p>A third of the schedules compact their logs and forget silent peers, which then catch up
 * from a snapshot: the same checks hold for them.
 *
 * <p>The same holds over TCP-like links (ordered; a lost frame breaks the connection, which
 * comes back), whose sessions resend only after the cap and hold a third replica's records back
 * while it is connected, and with a relay in the mesh, over either kind of link.
 *
 * <p>{@code -Dtandem.schedules=10000} runs more schedules (of every variant); a failure prints
 * its seed, and {@code -Dtandem.seed=N} replays exactly that schedule.
 */
class ConvergenceTest {

  private static final int SCHEDULES = Integer.getInteger("tandem.schedules", 200);
  /** Fewer by default for the variants, which share most of their code paths with the above. */
  private static final int VARIANT_SCHEDULES = Integer.getInteger("tandem.schedules", 80);

  @Test
  void replicasConvergeUnderArbitraryFaultsInBatchMode() {
    check(SyncMode.BATCH);
  }

  @Test
  void replicasConvergeUnderArbitraryFaultsInInteractiveMode() {
    check(SyncMode.INTERACTIVE);
  }

  @Test
  void replicasConvergeUnderArbitraryFaultsOverOrderedLinksInBatchMode() {
    checkVariant(SyncMode.BATCH, Links.ORDERED, 0.3);
  }

  @Test
  void replicasConvergeUnderArbitraryFaultsOverOrderedLinksInInteractiveMode() {
    checkVariant(SyncMode.INTERACTIVE, Links.ORDERED, 0.3);
  }

  @Test
  void replicasConvergeWithARelayInTheMeshUnderArbitraryFaults() {
    checkVariant(null, Links.UNORDERED, 1);
  }

  /**
   * An ordered link delivers every frame or reports it lost, so nothing there may wait for the
   * timed resend: with the resend cap longer than the whole settling, replicas converge all the
   * same (no causal buffer overflows in these schedules, the one loss a timer mends).
   */
  @Test
  void replicasConvergeOverOrderedLinksWithoutTimedResends() {
    checkVariant(null, Links.ORDERED, 0.3, c -> c.withSession(c.session()
        .withBackoff(SimCluster.MIN_BACKOFF, NO_TIMED_RESEND_MILLIS)));
  }

  /**
   * What the causal buffer evicts is asked for again once it can be applied, and a feed the peer
   * cannot apply yet never holds another's back: over ordered links without timed resends, with a
   * buffer of three records that overflows in most schedules and a window of four records per
   * feed, replicas converge all the same, and within the usual bound of rounds.
   */
  @Test
  void replicasConvergeOverOrderedLinksWithATinyBufferAndWindowWithoutTimedResends() {
    long before = EVICTIONS.get();
    checkVariant(null, Links.ORDERED, 0.3, c -> c.withMaxBufferedDeltas(3).withSession(
        c.session().withBackoff(SimCluster.MIN_BACKOFF, NO_TIMED_RESEND_MILLIS)
            .withBatch(2, 1 << 20, 4)));
    if (VARIANT_SCHEDULES >= 20) {
      assertThat(EVICTIONS.get() - before).as("records evicted").isPositive();
    }
  }

  /** Longer than settling may take ({@link #run}): a resend at the cap comes too late. */
  private static final long NO_TIMED_RESEND_MILLIS = 4 * 60 * 60_000L;

  /**
   * @param mode the sync mode, or null for one drawn per schedule
   * @param relayChance how likely a schedule has a relay among its replicas
   */
  private static void checkVariant(SyncMode mode, Links links, double relayChance) {
    checkVariant(mode, links, relayChance, c -> c);
  }

  /** @param tweak changes to the replicas' configuration, after the schedule's own */
  private static void checkVariant(SyncMode mode, Links links, double relayChance,
      UnaryOperator<ReplicaConfig> tweak) {
    Long replay = Long.getLong("tandem.seed");
    int[] relays = {0};
    java.util.function.LongConsumer one = seed -> {
      SyncMode m = mode != null ? mode
          : (seed & 1) == 0 ? SyncMode.BATCH : SyncMode.INTERACTIVE;
      relays[0] += run(seed, m, ClusterStores.IN_MEMORY, links, relayChance, tweak) ? 1 : 0;
    };
    if (replay != null) {
      one.accept(replay);
      return;
    }
    long broken = BROKEN.get();
    qt().withExamples(VARIANT_SCHEDULES).withShrinkCycles(0).forAll(longs().all())
        .checkAssert(one::accept);
    broken = BROKEN.get() - broken;
    System.out.printf("%s over %s links: a relay in %d of %d schedules, %d connections broken"
        + " by a lost frame%n", mode == null ? "either mode" : mode, links, relays[0],
        VARIANT_SCHEDULES, broken);
    if (VARIANT_SCHEDULES >= 20 && relayChance > 0) {
      // Signs the schedules reach what they are for: relays, and over ordered links, losses.
      assertThat(relays[0]).isPositive();
      if (links == Links.ORDERED) {
        assertThat(broken).isPositive();
      }
    }
  }

  private static void check(SyncMode mode) {
    Long replay = Long.getLong("tandem.seed");
    if (replay != null) {
      run(replay, mode);
      return;
    }
    long[] before = {COMPACTIONS.get(), INSTALLS.get()};
    qt().withExamples(SCHEDULES).withShrinkCycles(0).forAll(longs().all())
        .checkAssert(seed -> run(seed, mode));
    long compactions = COMPACTIONS.get() - before[0];
    long installs = INSTALLS.get() - before[1];
    System.out.printf("%s: %d compaction runs, %d snapshots installed in %d schedules%n", mode,
        compactions, installs, SCHEDULES);
    if (SCHEDULES >= 100) {
      // Not a figure to meet, a sign the compacting schedules reach the code they are for.
      assertThat(compactions).isPositive();
      assertThat(installs).isPositive();
    }
  }

  /** Compaction runs and snapshot installs over every schedule run, H2's included. */
  static final java.util.concurrent.atomic.AtomicLong COMPACTIONS =
      new java.util.concurrent.atomic.AtomicLong();
  static final java.util.concurrent.atomic.AtomicLong INSTALLS =
      new java.util.concurrent.atomic.AtomicLong();
  /** Records evicted from causal buffers, over every schedule run. */
  static final java.util.concurrent.atomic.AtomicLong EVICTIONS =
      new java.util.concurrent.atomic.AtomicLong();
  /** Over ordered links, connections broken by a lost frame, over every schedule run. */
  static final java.util.concurrent.atomic.AtomicLong BROKEN =
      new java.util.concurrent.atomic.AtomicLong();

  static void run(long seed, SyncMode mode) {
    run(seed, mode, ClusterStores.IN_MEMORY);
  }

  /** One schedule, the replicas keeping their records in {@code storage}. */
  static void run(long seed, SyncMode mode, ClusterStores storage) {
    run(seed, mode, storage, Links.UNORDERED, 0, c -> c);
  }

  /**
   * One schedule over links of the given kind, with a relay among the replicas with probability
   * {@code relayChance} (drawn from a stream of its own, like compaction).
   *
   * @return whether the schedule had a relay
   */
  static boolean run(long seed, SyncMode mode, ClusterStores storage, Links links,
      double relayChance, UnaryOperator<ReplicaConfig> tweak) {
    SplittableRandom random = new SplittableRandom(seed);
    int n = 2 + random.nextInt(4);
    long[] offsets = new long[n];
    if (random.nextInt(5) == 0) {
      // Jepsen's clock faults: one replica bumped by up to ±262 s.
      offsets[random.nextInt(n)] = random.nextLong(-262_000, 262_001);
    }
    SplittableRandom relays = new SplittableRandom(seed ^ 0x4e1a_7L);
    int relay = relays.nextDouble() < relayChance ? relays.nextInt(n) : -1;
    UnaryOperator<ReplicaConfig> config = compaction(seed);
    SimCluster c = new SimCluster(seed, n, mode, offsets, r -> tweak.apply(config.apply(r)),
        storage, relay, links);
    try {
      List<Scheduler.Cancellable> pending = faults(c, random);
      int ops = 100 + random.nextInt(250);
      long span = 20_000 + random.nextInt(60_000);
      SplittableRandom work = random.split();
      for (int i = 0; i < ops; i++) {
        int at = work.nextInt(n);
        c.net.scheduler().schedule(work.nextLong(span), () -> Workload.write(c.replica(at), work));
      }
      if (random.nextInt(4) == 0 || storage.restartInEverySchedule()) {
        // Crashes: a replica restarts from its store, losing its buffer and sessions.
        for (int k = random.nextInt(3); k >= 0; k--) {
          int victim = random.nextInt(n);
          pending.add(c.net.scheduler().schedule(random.nextLong(span), () -> c.restart(victim)));
        }
      }
      c.net.runFor(span + 1);
      if (c.net.ordered()) {
        BROKEN.addAndGet(c.net.stats().dropped());
      }
      pending.forEach(Scheduler.Cancellable::cancel);
      c.heal();
      long healedAt = c.net.now();
      long lastFrame = c.settle(30 * 60_000);
      c.assertConverged();
      c.assertMatchesOracle();
      for (Replica r : c.replicas) {
        COMPACTIONS.addAndGet(r.compactions());
        INSTALLS.addAndGet(r.transferCounts()[2]);
        EVICTIONS.addAndGet(r.metrics().evictions());
      }
      c.checker.assertNoViolation();
      assertThat(c.checker.writes()).isEqualTo(c.writeOrder.size());
      for (Replica r : c.replicas) {
        assertThat(r.metrics().sessionsClosed()).as("sessions closed: %s",
            r.metrics().lastCloseReason()).isZero();
      }
      // Liveness: traffic stops within a bounded number of rounds after the heal, a round
      // being the longest any session waits before resending, and then stays stopped. With a
      // clock off, records stamped ahead of a receiver's clock by more than the bound wait for
      // it to catch up, whatever the network does: the last written by the end of the writing
      // is acceptable everywhere once |offset| - bound has passed, and the rounds count from
      // then.
      long acceptable = healedAt + maxAbs(offsets)
          - c.replica(0).config.maxClockOffsetMillis();
      long rounds = (lastFrame - Math.max(healedAt, acceptable)) / (SimCluster.MAX_BACKOFF + 100);
      assertThat(rounds).as("rounds from heal (or clock catch-up) to silence")
          .isLessThanOrEqualTo(20);
      NetworkStats before = c.net.stats();
      c.net.runFor(20 * SimCluster.MAX_BACKOFF);
      NetworkStats after = c.net.stats().minus(before);
      assertThat(after.sent().frames()).as("frames after silence: %s", after.summary())
          .isZero();
      return relay >= 0;
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("schedule failed; replay with -Dtandem.seed=" + seed
          + " (" + mode + ", " + links + " links, relay " + relay + " of " + n + ")", e);
    }
  }

  /**
   * Compaction with a forget-after time short enough that peers offline or partitioned are
   * forgotten and come back to a snapshot, fetched in small chunks over the same faulty links, in
   * a third of the schedules; the rest keep the default (compaction on, 14 days: nobody is
   * forgotten). Drawn from its own stream so that the rest of every schedule is what it was
   * before compaction existed.
   */
  static UnaryOperator<ReplicaConfig> compaction(long seed) {
    SplittableRandom random = new SplittableRandom(seed ^ 0x5eed_c0bac7L);
    if (random.nextInt(3) != 0) {
      return c -> c;
    }
    int batch = 8 + random.nextInt(256);
    long forgetAfter = 2_000 + random.nextLong(60_000);
    int chunk = 128 << random.nextInt(6);
    return c -> c.withCompaction(batch, forgetAfter).withLimits(new ProtocolLimits(
        ProtocolLimits.DEFAULT.maxFrameBytes(), ProtocolLimits.DEFAULT.maxRecords(),
        ProtocolLimits.DEFAULT.maxEntries(), chunk));
  }

  /** A random fault schedule for the writing phase. */
  static List<Scheduler.Cancellable> faults(SimCluster c, SplittableRandom random) {
    return faults(c, c.names, random);
  }

  /** A random fault schedule for the writing phase that touches only the nodes named. */
  static List<Scheduler.Cancellable> faults(SimCluster c, List<String> names,
      SplittableRandom random) {
    List<Scheduler.Cancellable> pending = new ArrayList<>();
    // On an ordered network each lost frame breaks the connection: a session needs a few frames
    // through to open, so there a tenth of frames lost is already a link that is mostly down.
    double[] drops = c.net.ordered() ? new double[] {0, 0, 0.01, 0.03, 0.1, 0.3}
        : new double[] {0, 0, 0.1, 0.3, 0.5, 0.9};
    for (int i = 0; i < names.size(); i++) {
      for (int j = i + 1; j < names.size(); j++) {
        LinkConditions lc = new LinkConditions(drops[random.nextInt(drops.length)],
            random.nextInt(3) == 0 ? 0.2 : 0, 1 + random.nextInt(20),
            20 + random.nextInt(random.nextInt(4) == 0 ? 5_000 : 300));
        c.net.conditions(names.get(i), names.get(j), lc);
      }
    }
    int events = random.nextInt(6);
    for (int e = 0; e < events; e++) {
      long at = random.nextLong(60_000);
      int kind = random.nextInt(3);
      if (kind == 0 && names.size() > 2) {
        Set<String> side = new HashSet<>();
        for (String name : names) {
          if (random.nextBoolean()) {
            side.add(name);
          }
        }
        Set<String> other = new HashSet<>(names);
        other.removeAll(side);
        long heal = at + random.nextLong(30_000);
        pending.add(c.net.scheduler().schedule(at, () -> c.net.partition(side, other)));
        pending.add(c.net.scheduler().schedule(heal, c.net::heal));
      } else if (kind == 1) {
        String node = names.get(random.nextInt(names.size()));
        long back = at + random.nextLong(40_000);
        pending.add(c.net.scheduler().schedule(at, () -> c.net.setOnline(node, false)));
        pending.add(c.net.scheduler().schedule(back, () -> c.net.setOnline(node, true)));
      } else {
        String node = names.get(random.nextInt(names.size()));
        c.net.onlineSchedule(node, 0.1 + random.nextDouble() * 0.4, 2_000 + random.nextInt(8_000));
      }
    }
    return pending;
  }

  private static long maxAbs(long[] a) {
    long max = 0;
    for (long x : a) {
      max = Math.max(max, Math.abs(x));
    }
    return max;
  }
}
