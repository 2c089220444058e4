package io.tandem.replication;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.tandem.replication.spi.ReplicaStore;
import io.tandem.storage.h2.H2ReplicaStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    H2Stores stores = new H2Stores(tmp.resolve(Long.toHexString(seed)));
    try {
      ConvergenceTest.run(seed, (seed & 1) == 0 ? SyncMode.BATCH : SyncMode.INTERACTIVE, stores);
    } finally {
      stores.closeAll();
    }
    System.out.printf("H2ConvergenceTest: seed %d converged, %d store opens%n", seed,
        stores.opened.size());
  }

  /** One H2 file per replica; a restart closes it with the replica and opens it again. */
  private static final class H2Stores implements ClusterStores {
    private final Path dir;
    final List<H2ReplicaStore> opened = new ArrayList<>();

    H2Stores(Path dir) {
      this.dir = dir;
    }

    @Override
    public ReplicaStore create(int i) {
      return open(i);
    }

    @Override
    public ReplicaStore reopen(int i, ReplicaStore closed) {
      closed.close(); // the replica closed it already; closing twice does nothing
      return open(i);
    }

    @Override
    public boolean restartInEverySchedule() {
      return true;
    }

    private H2ReplicaStore open(int i) {
      H2ReplicaStore s = H2ReplicaStore.open(dir.resolve("r" + i));
      opened.add(s);
      return s;
    }

    void closeAll() {
      opened.forEach(H2ReplicaStore::close);
    }
  }
}
