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
      expireAndFindNoCopyInAnyFile(c, dirs, secret, TTL);
    }
    assertThat(fileMarkers(dirs, secret)).as("in every file, closed").isZero();
  }

  /**
   * The same on three devices that meet only through a relay, all on H2 files, with every
   * logger open at every level: the value reaches one device in a fetched snapshot (it was away
   * past the forget-after time, so the others had folded the value into theirs), and after the
   * deadline, purge and compaction no byte of it is left in any file under any replica's
   * directory (the relay's included), nor in anything logged during the whole run.
   */
  @Test
  void expiredValueLeavesNoByteInTheRelaysFilesNorInAnyLogLine() throws Exception {
    String secret = ExpiryTest.marker(20);
    Duration ttl = Duration.ofMinutes(5);
    long forgetAfter = 60_000;
    Path dirs = tmp.resolve("relayed");
    try (CapturedLogs logs = new CapturedLogs();
        H2ClusterStores stores = new H2ClusterStores(dirs, false)) {
      SimCluster c = new SimCluster(20, 4, SyncMode.BATCH, new long[4],
          cfg -> cfg.withCompaction(256, forgetAfter), stores, 3, Links.UNORDERED);
      c.net.cut("r0", "r1");
      c.net.cut("r0", "r2");
      c.net.cut("r1", "r2");
      for (int i = 0; i < 20; i++) {
        Notes.put(c.replica(i % 3), "contacts", "k" + i, "v" + i);
      }
      c.settle(60_000);
      c.net.setOnline("r2", false);
      ExpiryTest.putSecret(c.replica(0), "msg", secret, ttl);
      Notes.put(c.replica(1), "contacts", "ann", "Ann");
      c.net.runFor(2 * forgetAfter); // r2 forgotten: the value folded into the others' snapshots
      for (int i : new int[] {0, 1, 3}) {
        c.replica(i).compact();
        assertThat(c.logSize(i)).as("r%d's log once r2 is forgotten", i).isZero();
      }
      c.net.setOnline("r2", true);
      c.settle(120_000);
      assertThat(c.replica(2).transferCounts()[2]).as("snapshots installed by r2").isPositive();
      assertThat(ExpiryTest.text(c.replica(2), "msg")).isEqualTo(secret);
      expireAndFindNoCopyInAnyFile(c, dirs, secret, ttl);
      c.checker.assertNoViolation();
      assertThat(logs.lines()).as("the run logged (forgotten peer, installed snapshot)")
          .anyMatch(l -> l.contains("compaction no longer waits"))
          .anyMatch(l -> l.contains("installed a fetched snapshot"));
      assertThat(logs.debugLines()).as("debug lines built and seen").isPositive();
      assertThat(logs.occurrences(secret)).as("copies in %d log lines", logs.lines().size())
          .isZero();
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

  /**
   * Checks that every replica's files hold the value, lets it expire, writes over the other
   * objects (new commits, new chunks), compacts every replica and checks that none of its files
   * holds a byte of the value any more, then closes them all.
   */
  private static void expireAndFindNoCopyInAnyFile(SimCluster c, Path dirs, String secret,
      Duration ttl) throws Exception {
    int n = c.replicas.size();
    for (int i = 0; i < n; i++) {
      assertThat(fileMarkers(dirs.resolve("r" + i), secret)).as("in r%d's files before", i)
          .isPositive();
    }
    c.net.runFor(ttl.toMillis());
    for (int i = 0; i < 20; i++) {
      Notes.put(c.replica(i % 3), "contacts", "k" + i, "w" + i);
    }
    c.settle(5 * 60_000);
    for (int i = 0; i < n; i++) {
      c.replica(i).compact();
      assertThat(ExpiryTest.text(c.replica(i), "msg")).isNull();
      assertThat(fileMarkers(dirs.resolve("r" + i), secret)).as("in r%d's files, open", i)
          .isZero();
    }
    c.assertConverged();
    c.replicas.forEach(Replica::close);
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
