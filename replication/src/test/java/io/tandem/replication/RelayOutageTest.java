package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.tandem.crdt.ReplicaId;
import io.tandem.replication.spi.Scheduler;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A relay only changes timing (FAULTS.md, Relay: "relay wiped or down for the whole run"): 2 to
 * 4 devices writing under {@link ConvergenceTest}'s fault schedules, with a relay in the mesh
 * that is down for the whole run, goes down for good partway, or loses its store partway and
 * comes back empty under a new id, still end with every write and nothing else (the oracle:
 * nothing lost, nothing removed brought back), in causal order, with empty buffers, and then
 * fall silent.
 *
 * <p>{@code -Dtandem.schedules=N} runs more schedules of each kind (30 by default); a failure
 * prints its seed, and {@code -Dtandem.seed=S} replays exactly that schedule.
 */
class RelayOutageTest {

  private static final int SCHEDULES = Integer.getInteger("tandem.schedules", 30);

  /** What happens to the relay. */
  private enum Outage {
    /** Down from the start, or from a moment in the writing, to the end. */
    DOWN,
    /** Its store erased at a moment in the writing; back at once, empty, under a new id. */
    WIPED
  }

  @Test
  void devicesConvergeWhenTheRelayIsDownTheWholeRunOrGoesDownForGood() {
    check(Outage.DOWN);
  }

  @Test
  void devicesConvergeWithARelayWipedMidRunThatComesBackUnderANewId() {
    check(Outage.WIPED);
  }

  private static void check(Outage outage) {
    Long replay = Long.getLong("tandem.seed");
    if (replay != null) {
      run(replay, outage);
      return;
    }
    int[] relayHeldRecords = {0};
    qt().withExamples(SCHEDULES).withShrinkCycles(0).forAll(longs().all())
        .checkAssert(seed -> relayHeldRecords[0] += run(seed, outage) ? 1 : 0);
    System.out.printf("relay %s: it held records when it went in %d of %d schedules%n", outage,
        relayHeldRecords[0], SCHEDULES);
    if (SCHEDULES >= 20) {
      // A sign that the schedules reach what they are for: a relay that had records to lose.
      assertThat(relayHeldRecords[0]).isPositive();
    }
  }

  /** @return whether the relay held records when it went down or was wiped */
  private static boolean run(long seed, Outage outage) {
    SplittableRandom random = new SplittableRandom(seed);
    int devices = 2 + random.nextInt(3);
    int relay = devices;
    Links links = random.nextInt(3) == 0 ? Links.ORDERED : Links.UNORDERED;
    SyncMode mode = random.nextBoolean() ? SyncMode.BATCH : SyncMode.INTERACTIVE;
    SimCluster c = new SimCluster(seed, devices + 1, mode, new long[devices + 1],
        ConvergenceTest.compaction(seed), ClusterStores.IN_MEMORY, relay, links);
    String relayName = c.names.get(relay);
    ReplicaId firstRelayId = c.replica(relay).id();
    long span = 20_000 + random.nextInt(60_000);
    long outageAt = outage == Outage.DOWN && random.nextInt(3) == 0 ? 0 : random.nextLong(span);
    boolean[] held = {false};
    try {
      List<Scheduler.Cancellable> pending = ConvergenceTest.faults(c,
          List.copyOf(c.names.subList(0, devices)), random);
      if (outageAt == 0) {
        c.net.setOnline(relayName, false);
      } else {
        pending.add(c.net.scheduler().schedule(outageAt, () -> {
          held[0] = c.replica(relay).vector().total() > 0;
          if (outage == Outage.DOWN) {
            c.net.setOnline(relayName, false);
          } else {
            c.wipe(relay);
          }
        }));
      }
      Workload.schedule(c, devices, span, random);
      c.net.runFor(span + 1);
      pending.forEach(Scheduler.Cancellable::cancel);
      if (outage == Outage.DOWN) {
        c.shutDownLast(); // it never comes back: only the devices are checked
      }
      c.heal();
      c.settleAndAssertConvergedAndSilent(30 * 60_000);
      assertThat(c.checker.writes()).isEqualTo(c.writeOrder.size());
      if (outage == Outage.WIPED) {
        Replica wiped = c.replica(relay);
        assertThat(wiped.id()).as("the wiped relay's id").isNotEqualTo(firstRelayId);
        assertThat(wiped.vector().get(firstRelayId)).as("records under its old id").isZero();
      }
      return held[0];
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("schedule failed; replay with -Dtandem.seed=" + seed + " ("
          + outage + " at " + outageAt + " of " + span + ", " + mode + ", " + links
          + " links, " + devices + " devices)", e);
    }
  }
}
