package io.tandem.storage.h2;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The {@code feeds} table: each row a run {@code first_seq..last_seq} of one origin's records,
 * encoded by {@link RowCodec}. Rows of a feed are contiguous; the row holding seq {@code s} is
 * the first whose {@code last_seq >= s}, found through the {@code (origin, last_seq)} index.
 * Not thread-safe: the store calls it under its lock.
 */
final class FeedTable implements AutoCloseable {

  /** A run longer than this is split over several rows, so no row grows without bound. */
  static final int MAX_ROW_RECORDS = 4096;
  static final int MAX_ROW_BYTES = 1 << 20;
  /** Rows fetched per query while reading a run. */
  private static final int ROWS_PER_QUERY = 32;

  private final Connection c;
  private final String store;
  private final PreparedStatement insert;
  private final PreparedStatement rows;
  /**
   * The row read last, decoded: a session that lags reads a feed in batches far shorter than a
   * row, so without it each batch decoded the whole row again. Only rows committed are read
   * (the store's lock is held from insert to commit), and rows change only by
   * {@link #deleteCovered} and {@link #rewrite}, which forget it.
   */
  private Row lastRow;

  private record Row(ReplicaId origin, long first, long last, List<DeltaRecord> records) {}

  FeedTable(Connection c, String store) throws SQLException {
    this.c = c;
    this.store = store;
    this.insert = c.prepareStatement("INSERT INTO feeds VALUES (?, ?, ?, ?)");
    // Ordered by the index's own columns: H2 then reads the index in order and stops at the
    // limit ("index sorted"); ordered by last_seq alone it read every later row of the feed,
    // records included, and sorted them, so a lagging session's reads grew with the lag.
    this.rows = c.prepareStatement("SELECT first_seq, last_seq, records FROM feeds"
        + " WHERE origin = ? AND last_seq >= ? ORDER BY origin, last_seq LIMIT ?");
  }

  /**
   * The store's vector: each feed's last seq, or the snapshot's if higher. Checked cheaply, as
   * rows that neither overlap nor leave a hole add up to exactly {@code last - first + 1}
   * records (keys forbid two rows starting or ending alike), and the log must continue the
   * snapshot: a feed's first row starts at or before the snapshot's seq + 1.
   *
   * @throws StoreCorruptedException if a feed's rows do not add up
   */
  VersionVector vector(VersionVector snapshot) throws SQLException {
    VersionVector v = snapshot;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT origin, MIN(first_seq), MAX(last_seq),"
            + " SUM(last_seq - first_seq + 1) FROM feeds GROUP BY origin")) {
      while (rs.next()) {
        long id = rs.getLong(1);
        long first = rs.getLong(2);
        long last = rs.getLong(3);
        long held = rs.getLong(4);
        String feed = String.format("%016x", id);
        if (id == 0 || held != last - first + 1) {
          throw new StoreCorruptedException("store " + store + ": feed " + feed
              + " has rows from " + first + " to " + last + " covering " + held + " records");
        }
        ReplicaId origin = ReplicaId.of(id);
        long floor = snapshot.get(origin);
        if (first > floor + 1) {
          throw new StoreCorruptedException("store " + store + ": feed " + feed + " starts at "
              + first + " but the snapshot covers only " + floor);
        }
        v = v.with(origin, Math.max(floor, last));
      }
    }
    return v;
  }

  /** Writes consecutive records of one feed, one row per run (split when long). */
  void insert(List<DeltaRecord> run) throws SQLException {
    int from = 0;
    while (from < run.size()) {
      int to = from;
      long bytes = 0;
      while (to < run.size() && to - from < MAX_ROW_RECORDS
          && (to == from || bytes + run.get(to).weight() <= MAX_ROW_BYTES)) {
        bytes += run.get(to).weight();
        to++;
      }
      List<DeltaRecord> part = run.subList(from, to);
      insert.setLong(1, part.get(0).origin().value());
      insert.setLong(2, part.get(0).seq());
      insert.setLong(3, part.get(part.size() - 1).seq());
      insert.setBytes(4, RowCodec.encodeRun(part));
      insert.executeUpdate();
      from = to;
    }
  }

  /**
   * Up to {@code max} records of {@code origin} from {@code fromSeq} on, as long as the rows
   * reach; the caller knows the feed holds {@code fromSeq}.
   *
   * @throws StoreCorruptedException if a row is damaged or the rows leave a hole
   */
  List<DeltaRecord> read(ReplicaId origin, long fromSeq, int max) throws SQLException {
    List<DeltaRecord> out = new ArrayList<>(Math.min(max, 1024));
    long next = fromSeq;
    Row cached = lastRow;
    if (cached != null && cached.origin().equals(origin) && cached.first() <= next
        && next <= cached.last()) {
      int from = (int) (next - cached.first());
      int to = (int) Math.min(cached.records().size(), from + (long) max);
      out.addAll(cached.records().subList(from, to));
      next = cached.last() + 1;
    }
    while (out.size() < max) {
      int fetched = 0;
      rows.setLong(1, origin.value());
      rows.setLong(2, next);
      rows.setInt(3, ROWS_PER_QUERY);
      try (ResultSet rs = rows.executeQuery()) {
        while (rs.next() && out.size() < max) {
          fetched++;
          long first = rs.getLong(1);
          long last = rs.getLong(2);
          if (first > next) {
            throw new StoreCorruptedException("store " + store + ": feed " + origin
                + " lacks records " + next + ".." + (first - 1));
          }
          List<DeltaRecord> row = RowCodec.decodeRun(rs.getBytes(3), origin, first, last,
              where(origin, first, last));
          lastRow = new Row(origin, first, last, row);
          for (DeltaRecord r : row) {
            if (r.seq() >= next && out.size() < max) {
              out.add(r);
            }
          }
          next = last + 1;
        }
      }
      if (fetched < ROWS_PER_QUERY) {
        break;
      }
    }
    return out;
  }

  /** Every record of the row holding {@code seq} of {@code origin}; empty if none does. */
  List<DeltaRecord> rowHolding(ReplicaId origin, long seq) throws SQLException {
    rows.setLong(1, origin.value());
    rows.setLong(2, seq);
    rows.setInt(3, 1);
    try (ResultSet rs = rows.executeQuery()) {
      if (!rs.next() || rs.getLong(1) > seq) {
        return List.of();
      }
      long first = rs.getLong(1);
      long last = rs.getLong(2);
      return RowCodec.decodeRun(rs.getBytes(3), origin, first, last, where(origin, first, last));
    }
  }

  /**
   * Deletes the rows whose every record {@code covered} includes. A row straddling the boundary
   * stays; the store no longer serves its covered records.
   */
  int deleteCovered(VersionVector covered) throws SQLException {
    lastRow = null;
    int n = 0;
    try (PreparedStatement ps = c.prepareStatement(
        "DELETE FROM feeds WHERE origin = ? AND last_seq <= ?")) {
      for (int i = 0; i < covered.size(); i++) {
        ps.setLong(1, covered.replicaAt(i).value());
        ps.setLong(2, covered.counterAt(i));
        n += ps.executeUpdate();
      }
    }
    return n;
  }

  /**
   * Replaces the payload of every record of {@code object} by what {@code rewrite} returns for
   * it, rewriting the rows that change, in the caller's transaction.
   *
   * @return how many payloads changed
   */
  int purge(Set<String> objects, UnaryOperator<byte[]> rewrite) throws SQLException {
    int changed = 0;
    for (RowKey key : keys()) {
      List<DeltaRecord> row = rowHolding(key.origin(), key.first());
      List<DeltaRecord> next = new ArrayList<>(row.size());
      int before = changed;
      for (DeltaRecord r : row) {
        byte[] payload = objects.contains(r.object()) ? rewrite.apply(r.payload()) : null;
        if (payload != null && !Arrays.equals(payload, r.payload())) {
          r = new DeltaRecord(r.origin(), r.seq(), r.deps(), r.hlc(), r.object(), payload);
          changed++;
        }
        next.add(r);
      }
      if (changed > before) {
        rewrite(next);
      }
    }
    return changed;
  }

  /** A row's key and extent. */
  private record RowKey(ReplicaId origin, long first, long last) {}

  private List<RowKey> keys() throws SQLException {
    List<RowKey> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT origin, first_seq, last_seq FROM feeds"
            + " ORDER BY origin, first_seq")) {
      while (rs.next()) {
        out.add(new RowKey(ReplicaId.of(rs.getLong(1)), rs.getLong(2), rs.getLong(3)));
      }
    }
    return out;
  }

  /** Replaces the records of a row with {@code run}, which covers the same sequence numbers. */
  private void rewrite(List<DeltaRecord> run) throws SQLException {
    lastRow = null;
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE feeds SET records = ? WHERE origin = ? AND first_seq = ? AND last_seq = ?")) {
      ps.setBytes(1, RowCodec.encodeRun(run));
      ps.setLong(2, run.get(0).origin().value());
      ps.setLong(3, run.get(0).seq());
      ps.setLong(4, run.get(run.size() - 1).seq());
      if (ps.executeUpdate() != 1) {
        throw new StoreCorruptedException("store " + store + ": no row " + run.get(0).origin()
            + " " + run.get(0).seq() + ".." + run.get(run.size() - 1).seq() + " to rewrite");
      }
    }
  }

  private String where(ReplicaId origin, long first, long last) {
    return "store " + store + ": feed row " + origin + " " + first + ".." + last;
  }

  @Override
  public void close() throws SQLException {
    insert.close();
    rows.close();
  }
}
