package io.tandem.storage.h2;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The store's one connection to its H2 database and how it commits: a commit is written to the
 * file before it returns ({@code WRITE_DELAY=0}) and, in {@link Durability#POWER_LOSS_SAFE},
 * synced to the disk. Not thread-safe: the store calls it under its lock.
 */
final class Database implements AutoCloseable {

  private final Path base;
  private final String via;
  private final String store;
  private final Durability durability;
  private Connection conn;
  private FeedTable feeds;

  Database(Path base, String via, String store, Durability durability, Connection conn)
      throws SQLException {
    this.base = base;
    this.via = via;
    this.store = store;
    this.durability = durability;
    this.conn = conn;
    this.feeds = new FeedTable(conn, store);
  }

  Connection connection() {
    return conn;
  }

  FeedTable feeds() {
    return feeds;
  }

  /** Commits the transaction, and syncs the file in {@link Durability#POWER_LOSS_SAFE}. */
  void commit() throws SQLException {
    conn.commit();
    if (durability == Durability.POWER_LOSS_SAFE) {
      sync();
    }
  }

  /** Commits without a sync, for what a power cut may lose at no cost (acknowledgements). */
  void commitUnsynced() throws SQLException {
    conn.commit();
  }

  /**
   * Makes the last commit the one H2 opens at after a kill, before the store empties its journal
   * of the records that commit holds. H2 names its newest chunk in the store header only with
   * the next chunk (see {@link StoreHeader}), so a chunk it wrote into reused space is out of
   * reach until then: a kill in that window reopened the file one checkpoint older while the
   * journal had been emptied of it (CrashTest, seed 5938480808569, cycle 8: the journal went on
   * from seq 1699 of a feed the database ended at 1623). {@link #commit} in
   * {@link Durability#POWER_LOSS_SAFE} does this with its sync.
   */
  void settle() throws SQLException {
    if (durability == Durability.POWER_LOSS_SAFE) {
      return;
    }
    try (Statement s = conn.createStatement()) {
      s.execute("CHECKPOINT"); // the commit's chunk written and H2's last, whatever H2 deferred
    }
    StoreHeader.catchUp(conn); // written, not synced: a kill keeps what the kernel holds
  }

  /** Forces the file to the disk: H2 writes, then fsyncs ({@code CHECKPOINT SYNC}). */
  void sync() throws SQLException {
    try (Statement s = conn.createStatement()) {
      s.execute("CHECKPOINT SYNC");
      if (StoreHeader.catchUp(conn)) {
        s.execute("CHECKPOINT SYNC"); // the header H2 left one chunk behind, now on the disk
      }
    }
  }

  void rollbackQuietly() {
    try {
      conn.rollback();
    } catch (SQLException ignored) {
      // the failure that led here is the one reported
    }
  }

  /**
   * Rewrites the file with only its live data ({@code SHUTDOWN COMPACT}) and connects again.
   * If connecting again fails, the database stays closed.
   */
  void compact() throws SQLException {
    feeds.close();
    Connection old = conn;
    conn = ChannelGuard.guard(() -> StoreFiles.rewrite(old, base, via));
    feeds = new FeedTable(conn, store);
  }

  @Override
  public void close() throws SQLException {
    try {
      feeds.close();
    } finally {
      conn.close();
    }
  }
}
