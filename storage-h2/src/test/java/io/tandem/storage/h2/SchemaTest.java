package io.tandem.storage.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.crdt.Hlc;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.spi.Snapshot;
import io.tandem.replication.spi.SyncBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schema's version and its forward upgrades: a real version 1 file (as the first release
 * wrote it, snapshot included) opened by this build, and a made-up version 3 as the next one.
 */
class SchemaTest {

  /** What a version 4 could look like: steps that may run twice, as the real ones must. */
  private static final List<Schema.Step> WITH_V4 = withV4();

  /**
   * A snapshot as version 1 of this module encoded it (RowCodec, tag 'S', no clock): X up to 3,
   * objects a = {1, 2} and b = {7}. Kept as bytes, since the code that wrote it is gone.
   */
  private static final String V1_SNAPSHOT = "530101000000000000aaaa03020161020102016201072fa569c1";

  private static List<Schema.Step> withV4() {
    List<Schema.Step> steps = new ArrayList<>(Schema.STEPS);
    steps.add(new Schema.Step(4, "meta keeps the clock's high-water mark", List.of(
        "ALTER TABLE meta ADD COLUMN IF NOT EXISTS hlc_wall BIGINT",
        "UPDATE meta SET hlc_wall = 0 WHERE hlc_wall IS NULL")));
    return steps;
  }

  @TempDir
  Path tmp;

  @Test
  void newStoreIsCreatedAtTheCurrentVersionAndLeavesNoSideFile() throws Exception {
    Path dir = tmp.resolve("store");
    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      assertThat(store.schemaVersionAtOpen()).isEqualTo(H2ReplicaStore.schemaVersion())
          .isEqualTo(3);
    }
    assertThat(Fixtures.count(dir, "SELECT MAX(version) FROM schema_version")).isEqualTo(3);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.contains("creating"));
    }
  }

  @Test
  void olderFileIsUpgradedStepByStepKeepingItsData() throws Exception {
    Path dir = writtenAtV1();

    try (Connection c = Fixtures.raw(dir)) {
      c.setAutoCommit(false);
      assertThat(Schema.open(c, "v1 store", WITH_V4)).as("version found").isEqualTo(1);
      assertThat(Schema.open(c, "v1 store", WITH_V4)).as("then").isEqualTo(4);
    }
    assertThat(Fixtures.count(dir, "SELECT COUNT(*) FROM schema_version")).isEqualTo(4);
    assertThat(Fixtures.count(dir, "SELECT COUNT(*) FROM sync_bases")).isZero();
    assertThat(Fixtures.count(dir, "SELECT COUNT(*) FROM retired")).isZero();
    assertThat(Fixtures.count(dir, "SELECT hlc_wall FROM meta")).isZero();
    assertThat(Fixtures.count(dir, "SELECT COUNT(*) FROM feeds")).isEqualTo(1);
  }

  @Test
  void upgradeInterruptedAfterItsStatementsRunsAgainOnTheNextOpen() throws Exception {
    Path dir = writtenAtV1();
    // H2 commits DDL at once: a crash can leave a step's statements done but unrecorded.
    Fixtures.sql(dir, Schema.STEPS.get(1).statements().get(0));

    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      assertThat(store.schemaVersionAtOpen()).isEqualTo(1);
      store.saveSyncBase(Fixtures.X, new SyncBase(VersionVector.of(Fixtures.X, 1),
          VersionVector.empty()));
    }
    assertThat(Fixtures.count(dir, "SELECT MAX(version) FROM schema_version")).isEqualTo(3);
    assertThat(Fixtures.count(dir, "SELECT COUNT(*) FROM sync_bases")).isEqualTo(1);
  }

  @Test
  void fileOfANewerVersionIsRefusedByAnOlderBuild() throws Exception {
    Path dir = writtenAtV1();
    try (Connection c = Fixtures.raw(dir)) {
      c.setAutoCommit(false);
      Schema.open(c, "store", WITH_V4);
    }

    assertThatThrownBy(() -> H2ReplicaStore.open(dir))
        .isInstanceOf(UnsupportedSchemaException.class)
        .hasMessageContaining("schema version 4").hasMessageContaining("up to 3");
  }

  /**
   * A version 1 file with its snapshot as version 1 wrote it, then the transfer features: the
   * snapshot reads back (no clock), the store takes sync bases, a partial transfer and a fetched
   * snapshot, and stores the next snapshot with its clock.
   */
  @Test
  void versionOneFileOpensWithItsSnapshotAndTakesTheNewFeatures() throws Exception {
    Path dir = writtenAtV1();
    Snapshot v1 = new Snapshot(VersionVector.of(Fixtures.X, 3), Map.of("a", new byte[] {1, 2},
        "b", new byte[] {7}));
    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      assertThat(store.schemaVersionAtOpen()).isEqualTo(1);
      Snapshot read = store.snapshot();
      assertThat(read.vector()).isEqualTo(v1.vector());
      assertThat(read.clock()).isNull();
      assertThat(read.objects().get("a")).containsExactly(1, 2);
      assertThat(store.snapshotChunk(0, 1000)).isEqualTo(HexFormat.of().parseHex(V1_SNAPSHOT));
      assertThat(store.vector()).isEqualTo(VersionVector.of(Fixtures.X, 3)
          .with(Fixtures.SELF, 2));
      store.saveSyncBase(Fixtures.Y, new SyncBase(VersionVector.of(Fixtures.X, 3),
          VersionVector.empty()));
      store.appendPartialSnapshot(new byte[] {1}, 0, new byte[] {2, 3});
      store.installSnapshot(new Snapshot(VersionVector.of(Fixtures.X, 9), v1.objects(),
          new Hlc(5, 0, Fixtures.X)));
    }
    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      assertThat(store.schemaVersionAtOpen()).isEqualTo(3);
      assertThat(store.snapshot().clock()).isEqualTo(new Hlc(5, 0, Fixtures.X));
      assertThat(store.vector()).isEqualTo(VersionVector.of(Fixtures.X, 9)
          .with(Fixtures.SELF, 2));
      assertThat(store.syncBases()).containsOnlyKeys(Fixtures.Y);
      assertThat(store.partialSnapshot().orElseThrow().verified()).containsExactly(2, 3);
    }
  }

  /** A version 2 file (before retired ids) upgrades, then retires its id and keeps it so. */
  @Test
  void versionTwoFileUpgradesAndKeepsTheIdsItRetires() throws Exception {
    Path dir = tmp.resolve("store");
    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      store.bind(Fixtures.SELF);
      store.append(Fixtures.feed(Fixtures.SELF, 1, 2));
    }
    Fixtures.sql(dir, "DROP TABLE retired");
    Fixtures.sql(dir, "DELETE FROM schema_version WHERE version = 3");

    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      assertThat(store.schemaVersionAtOpen()).isEqualTo(2);
      assertThat(store.retiredIds()).isEmpty();
      store.retire(Fixtures.SELF, Fixtures.Y);
    }
    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      assertThat(store.schemaVersionAtOpen()).isEqualTo(3);
      assertThat(store.replicaId()).contains(Fixtures.Y);
      assertThat(store.retiredIds()).containsExactly(Fixtures.SELF);
      assertThat(store.readFeed(Fixtures.SELF, 1, 10)).hasSize(2);
    }
  }

  /**
   * A file exactly as version 1 left it: this build's file with version 2's tables dropped and
   * the snapshot's row and chunk written with version 1's bytes.
   */
  private Path writtenAtV1() throws Exception {
    Path dir = tmp.resolve("store");
    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      store.bind(Fixtures.SELF);
      store.append(Fixtures.feed(Fixtures.SELF, 1, 2));
    }
    byte[] snapshot = HexFormat.of().parseHex(V1_SNAPSHOT);
    try (Connection c = Fixtures.raw(dir)) {
      try (Statement s = c.createStatement()) {
        s.execute("DROP TABLE sync_bases");
        s.execute("DROP TABLE partial_snapshot");
        s.execute("DROP TABLE partial_chunks");
        s.execute("DROP TABLE retired");
        s.execute("DELETE FROM schema_version WHERE version >= 2");
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO snapshot_chunks VALUES (0, ?)")) {
        ps.setBytes(1, snapshot);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO snapshot VALUES (1, ?, ?, ?, 65536)")) {
        ps.setBytes(1, RowCodec.encodeVector(VersionVector.of(Fixtures.X, 3)));
        ps.setLong(2, snapshot.length);
        ps.setBytes(3, RowCodec.sha256(snapshot));
        ps.executeUpdate();
      }
    }
    assertThat(Fixtures.count(dir, "SELECT MAX(version) FROM schema_version")).isEqualTo(1);
    return dir;
  }
}
