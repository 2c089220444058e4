package io.tandem.storage.h2;

import io.tandem.crdt.VersionVector;
import io.tandem.replication.spi.Snapshot;
import io.tandem.replication.spi.SnapshotCodec;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The {@code snapshot} and {@code snapshot_chunks} tables: one snapshot, its facts in a row and
 * its {@link SnapshotCodec encoding} (version 2, with the clock;
 * rows of earlier versions are version 1 and read as such) cut into fixed-size chunks, so that a transfer
 * reads any range by offset without loading the whole, and checks the whole by its SHA-256.
 * Not thread-safe: the store calls it under its lock, inside its transactions.
 */
final class SnapshotTable {

  static final int CHUNK_SIZE = 64 * 1024;

  /** What the store keeps in memory of its snapshot: all but the objects. */
  record Facts(VersionVector vector, long size, byte[] hash, int chunkSize, boolean stored) {

    /** The facts of the empty snapshot a store starts from, which no row holds. */
    static Facts none() {
      byte[] bytes = SnapshotCodec.encode(Snapshot.empty());
      return new Facts(VersionVector.empty(), bytes.length, RowCodec.sha256(bytes), CHUNK_SIZE,
          false);
    }
  }

  private SnapshotTable() {}

  /** The saved snapshot's facts, or those of the empty one if none was saved. */
  static Facts facts(Connection c, String store) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT vector, size, hash, chunk_size FROM snapshot")) {
      if (!rs.next()) {
        return Facts.none();
      }
      VersionVector v = RowCodec.decodeVector(rs.getBytes(1), "store " + store
          + ": snapshot vector");
      return new Facts(v, rs.getLong(2), rs.getBytes(3), rs.getInt(4), true);
    }
  }

  /** Replaces the snapshot, in the caller's transaction. */
  static Facts replace(Connection c, Snapshot snapshot) throws SQLException {
    byte[] bytes = SnapshotCodec.encode(snapshot);
    Facts facts = new Facts(snapshot.vector(), bytes.length, RowCodec.sha256(bytes),
        CHUNK_SIZE, true);
    try (Statement s = c.createStatement()) {
      s.executeUpdate("DELETE FROM snapshot_chunks");
      s.executeUpdate("DELETE FROM snapshot");
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO snapshot_chunks VALUES (?, ?)")) {
      for (int i = 0; i * (long) CHUNK_SIZE < bytes.length; i++) {
        ps.setInt(1, i);
        ps.setBytes(2, Arrays.copyOfRange(bytes, i * CHUNK_SIZE,
            Math.min(bytes.length, (i + 1) * CHUNK_SIZE)));
        ps.executeUpdate();
      }
    }
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO snapshot VALUES (1, ?, ?, ?, ?)")) {
      ps.setBytes(1, RowCodec.encodeVector(facts.vector()));
      ps.setLong(2, facts.size());
      ps.setBytes(3, facts.hash());
      ps.setInt(4, facts.chunkSize());
      ps.executeUpdate();
    }
    return facts;
  }

  /**
   * Replaces {@code object}'s state in the snapshot by what {@code rewrite} returns for it, in
   * the caller's transaction.
   *
   * @return the new facts, or {@code f} itself if nothing changed
   */
  static Facts purge(Connection c, Facts f, String object, UnaryOperator<byte[]> rewrite,
      String store) throws SQLException {
    if (!f.stored()) {
      return f;
    }
    Snapshot held = load(c, f, store);
    byte[] state = held.objects().get(object);
    byte[] replaced = state == null ? null : rewrite.apply(state);
    if (replaced == null || Arrays.equals(replaced, state)) {
      return f;
    }
    Map<String, byte[]> objects = new LinkedHashMap<>(held.objects());
    objects.put(object, replaced);
    return replace(c, new Snapshot(held.vector(), objects, held.clock()));
  }

  /**
   * Up to {@code max} bytes of the snapshot's encoding from {@code offset}; empty at the end.
   *
   * @throws StoreCorruptedException if the chunks do not reach where the facts say
   */
  static byte[] read(Connection c, Facts f, long offset, int max, String store)
      throws SQLException {
    if (offset < 0 || offset > f.size() || max < 0) {
      throw new IllegalArgumentException("offset " + offset + " outside the snapshot's "
          + f.size() + " bytes, or max " + max + " < 0");
    }
    int n = (int) Math.min(max, f.size() - offset);
    if (n == 0) {
      return new byte[0];
    }
    if (!f.stored()) {
      byte[] none = SnapshotCodec.encode(Snapshot.empty());
      return Arrays.copyOfRange(none, (int) offset, (int) offset + n);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(n);
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT idx, data FROM snapshot_chunks WHERE idx >= ? AND idx <= ? ORDER BY idx")) {
      long firstIdx = offset / f.chunkSize();
      long lastIdx = (offset + n - 1) / f.chunkSize();
      ps.setLong(1, firstIdx);
      ps.setLong(2, lastIdx);
      long expected = firstIdx;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          byte[] data = rs.getBytes(2);
          long chunkStart = rs.getLong(1) * f.chunkSize();
          boolean lastChunk = chunkStart + f.chunkSize() >= f.size();
          if (rs.getLong(1) != expected || data.length != (lastChunk
              ? f.size() - chunkStart : f.chunkSize())) {
            break;
          }
          int from = (int) Math.max(0, offset - chunkStart);
          int to = (int) Math.min(data.length, offset + n - chunkStart);
          out.write(data, from, to - from);
          expected++;
        }
      }
    }
    if (out.size() != n) {
      throw new StoreCorruptedException("store " + store + ": snapshot chunks end before byte "
          + (offset + n) + " of " + f.size());
    }
    return out.toByteArray();
  }

  /**
   * The whole snapshot, checked against its hash.
   *
   * @throws StoreCorruptedException if its bytes are missing, altered or undecodable
   */
  static Snapshot load(Connection c, Facts f, String store) throws SQLException {
    if (f.size() > Integer.MAX_VALUE - 16) {
      throw new StoreCorruptedException("store " + store + ": snapshot claims " + f.size()
          + " bytes");
    }
    byte[] bytes = read(c, f, 0, (int) f.size(), store);
    if (!Arrays.equals(RowCodec.sha256(bytes), f.hash())) {
      throw new StoreCorruptedException("store " + store + ": snapshot fails its SHA-256");
    }
    Snapshot s;
    try {
      s = SnapshotCodec.decode(bytes);
    } catch (IllegalArgumentException e) {
      throw new StoreCorruptedException("store " + store + ": snapshot: " + e.getMessage());
    }
    if (!s.vector().equals(f.vector())) {
      throw new StoreCorruptedException("store " + store + ": snapshot holds vector "
          + s.vector() + ", its row says " + f.vector());
    }
    return s;
  }
}
