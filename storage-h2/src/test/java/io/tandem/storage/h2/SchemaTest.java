package io.tandem.storage.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The schema's version and its forward upgrades, with a made-up version 2 as the next one. */
class SchemaTest {

  /** What a version 2 could look like: steps that may run twice, as the real ones must. */
  private static final List<Schema.Step> WITH_V2 = withV2();

  private static List<Schema.Step> withV2() {
    List<Schema.Step> steps = new ArrayList<>(Schema.STEPS);
    steps.add(new Schema.Step(2, "meta keeps the clock's high-water mark", List.of(
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
          .isEqualTo(1);
    }
    assertThat(Fixtures.count(dir, "SELECT MAX(version) FROM schema_version")).isEqualTo(1);
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
      assertThat(Schema.open(c, "v1 store", WITH_V2)).as("version found").isEqualTo(1);
      assertThat(Schema.open(c, "v1 store", WITH_V2)).as("then").isEqualTo(2);
    }
    assertThat(Fixtures.count(dir, "SELECT COUNT(*) FROM schema_version")).isEqualTo(2);
    assertThat(Fixtures.count(dir, "SELECT hlc_wall FROM meta")).isZero();
    assertThat(Fixtures.count(dir, "SELECT COUNT(*) FROM feeds")).isEqualTo(1);
  }

  @Test
  void upgradeInterruptedAfterItsStatementsRunsAgainOnTheNextOpen() throws Exception {
    Path dir = writtenAtV1();
    // H2 commits DDL at once: a crash can leave a step's statements done but unrecorded.
    Fixtures.sql(dir, WITH_V2.get(1).statements().get(0));

    try (Connection c = Fixtures.raw(dir)) {
      c.setAutoCommit(false);
      assertThat(Schema.open(c, "v1 store", WITH_V2)).isEqualTo(1);
    }
    assertThat(Fixtures.count(dir, "SELECT MAX(version) FROM schema_version")).isEqualTo(2);
  }

  @Test
  void fileOfANewerVersionIsRefusedByAnOlderBuild() throws Exception {
    Path dir = writtenAtV1();
    try (Connection c = Fixtures.raw(dir)) {
      c.setAutoCommit(false);
      Schema.open(c, "store", WITH_V2);
    }

    assertThatThrownBy(() -> H2ReplicaStore.open(dir))
        .isInstanceOf(UnsupportedSchemaException.class)
        .hasMessageContaining("schema version 2").hasMessageContaining("up to 1");
  }

  private Path writtenAtV1() {
    Path dir = tmp.resolve("store");
    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      store.bind(Fixtures.SELF);
      store.append(Fixtures.feed(Fixtures.X, 1, 3));
    }
    return dir;
  }
}
