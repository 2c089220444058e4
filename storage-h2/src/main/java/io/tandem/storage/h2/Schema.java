package io.tandem.storage.h2;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The tables, their version, and the forward upgrades from every version this module ever wrote.
 *
 * <p>{@code schema_version} holds one row per step applied; the highest is the file's version.
 * Opening a file below {@link #CURRENT} runs the missing steps in order; a file above it is
 * refused untouched ({@link UnsupportedSchemaException}), since an older build cannot know what a
 * newer one changed. A new store is created by running every step from nothing.
 *
 * <p>Each version is a {@link Step} at the end of {@link #STEPS}; steps are never edited once
 * released. H2 commits each DDL statement on its own, so a step is not atomic: every
 * statement must be safe to run again ({@code IF NOT EXISTS}, or guarded), and the version row is
 * written last, so that a step interrupted by a crash simply runs again on the next open.
 */
final class Schema {

  /** One upgrade: the statements that take the file from {@code version - 1} to it. */
  record Step(int version, String description, List<String> statements) {}

  static final List<Step> STEPS = List.of(
      new Step(1, "meta, feeds, snapshot, peers", List.of(
          """
          CREATE TABLE IF NOT EXISTS schema_version (
            version INT PRIMARY KEY,
            description VARCHAR(200) NOT NULL,
            applied_at TIMESTAMP WITH TIME ZONE NOT NULL)""",
          // The replica this store belongs to: one row, written once by bind. The id is kept
          // twice, readable and checksummed (RowCodec), as a flipped id would be a stolen one.
          """
          CREATE TABLE IF NOT EXISTS meta (
            id TINYINT PRIMARY KEY CHECK (id = 1),
            replica_id BIGINT NOT NULL,
            checked VARBINARY NOT NULL,
            bound_at TIMESTAMP WITH TIME ZONE NOT NULL)""",
          // One row per appended run of one feed, not per delta: H2 writes a chunk per commit
          // and a row per delta caps a store near 3k deltas/s (TOOLCHAIN.md). Rows of a feed
          // cover first_seq..last_seq without gaps or overlaps.
          """
          CREATE TABLE IF NOT EXISTS feeds (
            origin BIGINT NOT NULL,
            first_seq BIGINT NOT NULL,
            last_seq BIGINT NOT NULL,
            records VARBINARY NOT NULL,
            PRIMARY KEY (origin, first_seq),
            CHECK (first_seq >= 1 AND last_seq >= first_seq))""",
          // The row holding seq s is the first with last_seq >= s.
          "CREATE UNIQUE INDEX IF NOT EXISTS feeds_last ON feeds (origin, last_seq)",
          // The snapshot the log continues from: one row of facts plus its encoding in chunks,
          // so that a transfer reads it by offset and verifies it by hash.
          """
          CREATE TABLE IF NOT EXISTS snapshot (
            id TINYINT PRIMARY KEY CHECK (id = 1),
            vector VARBINARY NOT NULL,
            size BIGINT NOT NULL,
            hash BINARY(32) NOT NULL,
            chunk_size INT NOT NULL CHECK (chunk_size > 0))""",
          """
          CREATE TABLE IF NOT EXISTS snapshot_chunks (
            idx INT PRIMARY KEY,
            data VARBINARY NOT NULL)""",
          // acknowledged: the peer's id and vector (RowCodec); trust: the transport's, opaque.
          """
          CREATE TABLE IF NOT EXISTS peers (
            replica_id BIGINT PRIMARY KEY,
            acknowledged VARBINARY NOT NULL,
            trust VARBINARY)""")),
      // Version 2 stores snapshots as SnapshotCodec v2 (with their clock); the v1 rows earlier
      // versions wrote are SnapshotCodec v1 byte for byte, so they stay readable unconverted.
      new Step(2, "sync bases, partial snapshot transfer", List.of(
          // One row per peer, replaced on every save: told and heard vectors (RowCodec).
          """
          CREATE TABLE IF NOT EXISTS sync_bases (
            replica_id BIGINT PRIMARY KEY,
            told VARBINARY NOT NULL,
            heard VARBINARY NOT NULL)""",
          // The transfer under way: the offer it answers and how many verified bytes follow.
          """
          CREATE TABLE IF NOT EXISTS partial_snapshot (
            id TINYINT PRIMARY KEY CHECK (id = 1),
            offer VARBINARY NOT NULL,
            size BIGINT NOT NULL CHECK (size >= 0))""",
          // The verified bytes, one row per chunk appended, in order.
          """
          CREATE TABLE IF NOT EXISTS partial_chunks (
            idx INT PRIMARY KEY,
            data VARBINARY NOT NULL)""")),
      // Version 3 keeps the ids the replica gave up on finding them reused (its store restored
      // or copied), for good: never bound again. A file of version 2 never retired any.
      new Step(3, "retired replica ids", List.of(
          // The id kept twice, readable and checksummed (RowCodec meta), as in meta.
          """
          CREATE TABLE IF NOT EXISTS retired (
            replica_id BIGINT PRIMARY KEY,
            checked VARBINARY NOT NULL,
            successor BIGINT NOT NULL,
            retired_at TIMESTAMP WITH TIME ZONE NOT NULL)""")));

  /** The version this build writes. */
  static final int CURRENT = STEPS.get(STEPS.size() - 1).version();

  private static final Set<String> TABLES = Set.of("SCHEMA_VERSION", "META", "FEEDS",
      "SNAPSHOT", "SNAPSHOT_CHUNKS", "PEERS", "SYNC_BASES", "PARTIAL_SNAPSHOT", "PARTIAL_CHUNKS",
      "RETIRED");

  private Schema() {}

  /** Creates every table of a new, empty database. */
  static void create(Connection c) throws SQLException {
    upgrade(c, 0, STEPS);
  }

  /**
   * Checks the file's version and brings it up to {@link #CURRENT}.
   *
   * @return the version the file had
   * @throws StoreCorruptedException if the file holds no Tandem schema or an impossible version
   * @throws UnsupportedSchemaException if a newer build wrote it
   */
  static int open(Connection c, String store) throws SQLException {
    return open(c, store, STEPS);
  }

  /** As {@link #open(Connection, String)} with the given steps: how tests add a version 2. */
  static int open(Connection c, String store, List<Step> steps) throws SQLException {
    int current = steps.get(steps.size() - 1).version();
    Set<String> tables = tables(c);
    if (!tables.contains("SCHEMA_VERSION")) {
      // A store is created in a side file and linked in place only once its schema is written
      // (H2ReplicaStore.create), so a store file without one lost its contents: H2 opens a
      // file cut down to its headers as a new, empty database.
      throw new StoreCorruptedException("store " + store + " holds no Tandem schema"
          + (tables.isEmpty() ? " (the database is empty: the file was truncated or replaced)"
              : " (tables " + tables + ")"));
    }
    int version;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
      rs.next();
      version = rs.getInt(1);
    }
    if (version > current) {
      throw new UnsupportedSchemaException(store, version, current);
    }
    if (version < 1) {
      throw new StoreCorruptedException("store " + store + " has no schema version");
    }
    upgrade(c, version, steps);
    Set<String> missing = new HashSet<>(TABLES);
    missing.removeAll(tables(c));
    if (!missing.isEmpty()) {
      throw new StoreCorruptedException("store " + store + " lacks tables " + missing);
    }
    return version;
  }

  private static Set<String> tables(Connection c) throws SQLException {
    Set<String> tables = new HashSet<>();
    try (ResultSet rs = c.getMetaData().getTables(null, "PUBLIC", "%", new String[] {"TABLE"})) {
      while (rs.next()) {
        tables.add(rs.getString("TABLE_NAME").toUpperCase(Locale.ROOT));
      }
    }
    return tables;
  }

  private static void upgrade(Connection c, int from, List<Step> steps) throws SQLException {
    for (Step step : steps) {
      if (step.version() <= from) {
        continue;
      }
      try (Statement s = c.createStatement()) {
        for (String sql : step.statements()) {
          s.execute(sql);
        }
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO schema_version VALUES (?, ?, CURRENT_TIMESTAMP)")) {
        ps.setInt(1, step.version());
        ps.setString(2, step.description());
        ps.executeUpdate();
      }
      c.commit();
    }
  }
}
