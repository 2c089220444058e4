package io.tandem.storage.h2;

import io.tandem.crdt.ReplicaId;
import io.tandem.replication.spi.PartialSnapshot;
import io.tandem.replication.spi.SyncBase;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What lets a replica resume after a restart rather than start over: the {@code sync_bases}
 * table (one row per peer, replaced on each save) and the snapshot transfer under way
 * ({@code partial_snapshot}, its offer and verified length, and {@code partial_chunks}, the
 * verified bytes one row per chunk). Not thread-safe: the store calls it under its lock, inside
 * its transactions.
 */
final class ResumeTables {

  private ResumeTables() {}

  // ---- sync bases ----

  static Map<ReplicaId, SyncBase> syncBases(Connection c, String store) throws SQLException {
    Map<ReplicaId, SyncBase> out = new LinkedHashMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT replica_id, told, heard FROM sync_bases ORDER BY replica_id")) {
      while (rs.next()) {
        String where = "store " + store + ": sync base of " + Long.toHexString(rs.getLong(1));
        ReplicaId peer;
        try {
          peer = ReplicaId.of(rs.getLong(1));
        } catch (IllegalArgumentException zeroId) {
          throw new StoreCorruptedException(where, zeroId);
        }
        out.put(peer, new SyncBase(RowCodec.decodeVector(rs.getBytes(2), where + " (told)"),
            RowCodec.decodeVector(rs.getBytes(3), where + " (heard)")));
      }
    }
    return out;
  }

  static void saveSyncBase(Connection c, ReplicaId peer, SyncBase base) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "MERGE INTO sync_bases KEY (replica_id) VALUES (?, ?, ?)")) {
      ps.setLong(1, peer.value());
      ps.setBytes(2, RowCodec.encodeVector(base.told()));
      ps.setBytes(3, RowCodec.encodeVector(base.heard()));
      ps.executeUpdate();
    }
  }

  // ---- the snapshot transfer under way ----

  /**
   * The transfer kept, if any. Its bytes are the chunks in order; chunks that do not add up to
   * the length recorded with the offer are damage, and the transfer is dropped rather than
   * served (the receiver fetches from the start again, and checks the whole by hash anyway).
   */
  static Optional<PartialSnapshot> partial(Connection c) throws SQLException {
    byte[] offer;
    long size;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT offer, size FROM partial_snapshot")) {
      if (!rs.next()) {
        return Optional.empty();
      }
      offer = rs.getBytes(1);
      size = rs.getLong(2);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT idx, data FROM partial_chunks ORDER BY idx")) {
      for (int expected = 0; rs.next(); expected++) {
        byte[] data = rs.getBytes(2);
        if (rs.getInt(1) != expected || bytes.size() + (long) data.length > size) {
          return Optional.empty();
        }
        bytes.write(data, 0, data.length);
      }
    }
    return bytes.size() == size ? Optional.of(new PartialSnapshot(offer, bytes.toByteArray()))
        : Optional.empty();
  }

  /**
   * Adds {@code chunk} to the transfer, in the caller's transaction, as
   * {@link io.tandem.replication.spi.ReplicaStore#appendPartialSnapshot} says.
   */
  static void appendPartial(Connection c, byte[] offer, long offset, byte[] chunk)
      throws SQLException {
    byte[] heldOffer = null;
    long size = 0;
    int chunks = 0;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT offer, size, (SELECT COUNT(*) FROM partial_chunks)"
            + " FROM partial_snapshot")) {
      if (rs.next()) {
        heldOffer = rs.getBytes(1);
        size = rs.getLong(2);
        chunks = rs.getInt(3);
      }
    }
    if (offset == 0 && !Arrays.equals(offer, heldOffer)) {
      clearPartial(c);
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO partial_snapshot VALUES (1, ?, 0)")) {
        ps.setBytes(1, offer.clone());
        ps.executeUpdate();
      }
      heldOffer = offer;
      size = 0;
      chunks = 0;
    }
    if (!Arrays.equals(offer, heldOffer) || offset != size || chunk.length == 0) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO partial_chunks VALUES (?, ?)")) {
      ps.setInt(1, chunks);
      ps.setBytes(2, chunk.clone());
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE partial_snapshot SET size = ? WHERE id = 1")) {
      ps.setLong(1, size + chunk.length);
      ps.executeUpdate();
    }
  }

  static void clearPartial(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.executeUpdate("DELETE FROM partial_chunks");
      s.executeUpdate("DELETE FROM partial_snapshot");
    }
  }
}
