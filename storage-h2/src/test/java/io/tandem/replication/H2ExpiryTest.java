package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.storage.h2.H2ReplicaStore;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Expiry on H2 files (FAULTS.md goal 18): after a value's deadline, its purge and compaction,
 * a random 32-byte marker it held occurs zero times in the bytes of any replica's file, and a
 * late record carrying it never reaches the file of a replica that gets it after the deadline.
 * The store rewrites the file on purge ({@code SHUTDOWN COMPACT}: H2 closes the store and
 * {@code MVStoreTool.compact(fileName, true)} copies the live pages to a new file that replaces
 * the old one), so no old chunk keeps the value for MVStore's retention time. In the replication
 * package only to reach its test helpers.
 */
class H2ExpiryTest {

  private static final Duration TTL = Duration.ofMinutes(1);

  @TempDir
  Path tmp;

  @Test
  void expiredValueLeavesNoByteInAnyH2FileAfterPurgeCompactionAndClose() throws Exception {
    String secret = ExpiryTest.marker(18);
    Path dirs = tmp.resolve("cluster");
    try (H2ClusterStores stores = new H2ClusterStores(dirs, false)) {
      SimCluster c = new SimCluster(18, 3, SyncMode.BATCH, new long[3],
          cfg -> cfg.withCompaction(256, 60_000), stores);
      ExpiryTest.putSecret(c.replica(0), "msg", secret, TTL);
      for (int i = 0; i < 20; i++) {
        Notes.put(c.replica(i % 3), "contacts", "k" + i, "v" + i); // commits: many old chunks
      }
      c.settle(5 * 60_000);
      c.replica(1).compact(); // the value in a snapshot too, before the deadline
      for (int i = 0; i < 3; i++) {
        assertThat(fileMarkers(dirs.resolve("r" + i), secret)).as("in r%d's file before", i)
            .isPositive();
      }

      c.net.runFor(TTL.toMillis());
      for (int i = 0; i < 20; i++) {
        Notes.put(c.replica(i % 3), "contacts", "k" + i, "w" + i);
      }
      c.settle(5 * 60_000);
      for (int i = 0; i < 3; i++) {
        c.replica(i).compact();
        assertThat(ExpiryTest.text(c.replica(i), "msg")).isNull();
        assertThat(fileMarkers(dirs.resolve("r" + i), secret)).as("in r%d's file, open", i)
            .isZero();
      }
      c.assertConverged();
      c.replicas.forEach(Replica::close);
    }
    assertThat(fileMarkers(dirs, secret)).as("in every file, closed").isZero();
  }

  /**
   * Records carrying the value, exported before the deadline, reach a new H2 replica after it:
   * stored without the value (the file never holds it, not even before any purge), applied as
   * metadata, and the vector is gap-free.
   */
  @Test
  void lateRecordCarryingAnExpiredValueIsNotStored() throws Exception {
    String secret = ExpiryTest.marker(19);
    SimCluster c = new SimCluster(19, 1, SyncMode.BATCH);
    ExpiryTest.putSecret(c.replica(0), "msg", secret, TTL);
    Notes.put(c.replica(0), "contacts", "ann", "Ann");
    List<ByteBuffer> bundle = c.replica(0).exportBundle(VersionVector.empty());
    c.net.runFor(TTL.toMillis());

    Path dir = tmp.resolve("late");
    try (Replica late = Replica.builder().id(ReplicaId.of(0x3000)).store(H2ReplicaStore.open(dir))
        .clock(c.net.clock()).scheduler(c.net.scheduler()).build()) {
      late.importBundle(bundle.stream().map(ByteBuffer::duplicate).toList());
      assertThat(late.vector()).isEqualTo(c.replica(0).vector());
      assertThat(ExpiryTest.text(late, "msg")).isNull();
      assertThat(Notes.get(late, "contacts", "ann")).isEqualTo("Ann");
      assertThat(fileMarkers(dir, secret)).as("in the late replica's file, open").isZero();
    }
    assertThat(fileMarkers(dir, secret)).as("in the late replica's file, closed").isZero();
  }

  /**
   * {@link ExpiryConvergenceTest}'s fault schedules with every replica on an H2 file, restarted
   * at random moments: converged, no expired object shown, no expired value in any store's log
   * or snapshot, and, once every replica is closed, in no byte of any file.
   * {@code -Dtandem.h2Schedules=N} runs more (4 by default); {@code -Dtandem.seed=S} replays one.
   */
  @Test
  void replicasOnH2FilesConvergeAndKeepNoExpiredValueUnderArbitraryFaults() {
    Long replay = Long.getLong("tandem.seed");
    if (replay != null) {
      expirySchedule(replay);
      return;
    }
    qt().withExamples(Integer.getInteger("tandem.h2Schedules", 4)).withShrinkCycles(0)
        .forAll(longs().all()).checkAssert(this::expirySchedule);
  }

  private void expirySchedule(long seed) {
    Path dir = tmp.resolve("schedule-" + Long.toHexString(seed));
    try (H2ClusterStores stores = new H2ClusterStores(dir, true)) {
      ExpiryConvergenceTest.run(seed, stores);
    }
    // Every value the schedule wrote with a ttl was ExpiryTest.marker(seed ^ k), k = 0, 1, ...
    try {
      for (int k = 0; k < 200; k++) {
        assertThat(fileMarkers(dir, ExpiryTest.marker(seed ^ k)))
            .as("copies of expiring value %d in the closed files, seed %d", k, seed).isZero();
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Copies of {@code text}'s bytes in every file under {@code dir}. */
  static long fileMarkers(Path dir, String text) throws Exception {
    long n = 0;
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        n += ExpiryTest.occurrences(ByteBuffer.wrap(Files.readAllBytes(f)), text);
      }
    }
    return n;
  }
}
