package io.tandem.replication;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replication convergence property ({@link ConvergenceTest}: 2 to 5 replicas, every
 * network fault, clock faults, the causality checker and the replay oracle) with every replica
 * on an H2 file, and replicas closed and reopened from their files at random moments in every
 * schedule, losing their buffers and sessions as a restarted process does.
 *
 * <p>In the replication package only to reach its test helpers. {@code -Dtandem.h2Schedules=N}
 * runs more schedules (12 in CI); a failure prints its seed, {@code -Dtandem.seed=N} replays it.
 */
class H2ConvergenceTest {

  @TempDir
  Path tmp;

  @Test
  void replicasOnH2FilesConvergeUnderArbitraryFaultsAndRestarts() {
    Long replay = Long.getLong("tandem.seed");
    if (replay != null) {
      schedule(replay);
      return;
    }
    qt().withExamples(Integer.getInteger("tandem.h2Schedules", 12)).withShrinkCycles(0)
        .forAll(longs().all()).checkAssert(this::schedule);
  }

  private void schedule(long seed) {
    H2ClusterStores stores = new H2ClusterStores(tmp.resolve(Long.toHexString(seed)), true);
    long compactions = ConvergenceTest.COMPACTIONS.get();
    long installs = ConvergenceTest.INSTALLS.get();
    try (stores) {
      ConvergenceTest.run(seed, (seed & 1) == 0 ? SyncMode.BATCH : SyncMode.INTERACTIVE, stores);
    }
    System.out.printf("H2ConvergenceTest: seed %d converged, %d store opens, %d compaction runs,"
        + " %d snapshots installed%n", seed, stores.opened.size(),
        ConvergenceTest.COMPACTIONS.get() - compactions,
        ConvergenceTest.INSTALLS.get() - installs);
  }
}
