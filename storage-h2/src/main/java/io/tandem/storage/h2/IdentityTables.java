package io.tandem.storage.h2;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who is who: the {@code meta} table, with the replica the store belongs to, and the
 * {@code peers} table, with the vector each peer acknowledged and what the transport keeps to
 * trust it. Ids are kept checksummed too ({@link RowCodec}): a flipped id would be a stolen
 * identity. Statements run in the caller's transaction.
 */
final class IdentityTables {

  private IdentityTables() {}

  /** The replica the store is bound to, if any. */
  static Optional<ReplicaId> replicaId(Connection c, String store) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT replica_id, checked FROM meta")) {
      return rs.next()
          ? Optional.of(RowCodec.decodeMeta(rs.getBytes(2), rs.getLong(1), "store " + store
              + ": meta"))
          : Optional.empty();
    }
  }

  static void bind(Connection c, ReplicaId id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO meta VALUES (1, ?, ?, CURRENT_TIMESTAMP)")) {
      ps.setLong(1, id.value());
      ps.setBytes(2, RowCodec.encodeMeta(id));
      ps.executeUpdate();
    }
  }

  /** The ids the store's replica gave up, kept for good. */
  static Set<ReplicaId> retired(Connection c, String store) throws SQLException {
    Set<ReplicaId> out = new LinkedHashSet<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT replica_id, checked FROM retired")) {
      while (rs.next()) {
        out.add(RowCodec.decodeMeta(rs.getBytes(2), rs.getLong(1), "store " + store
            + ": retired"));
      }
    }
    return out;
  }

  /** Retires {@code current} and binds the store to {@code next}, in the caller's transaction. */
  static void retire(Connection c, ReplicaId current, ReplicaId next) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO retired VALUES (?, ?, ?, CURRENT_TIMESTAMP)")) {
      ps.setLong(1, current.value());
      ps.setBytes(2, RowCodec.encodeMeta(current));
      ps.setLong(3, next.value());
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE meta SET replica_id = ?, checked = ?, bound_at = CURRENT_TIMESTAMP"
            + " WHERE id = 1 AND replica_id = ?")) {
      ps.setLong(1, next.value());
      ps.setBytes(2, RowCodec.encodeMeta(next));
      ps.setLong(3, current.value());
      if (ps.executeUpdate() != 1) {
        throw new SQLException("meta is not bound to " + current);
      }
    }
  }

  /** Every peer's acknowledged vector. */
  static Map<ReplicaId, VersionVector> load(Connection c, String name)
      throws SQLException {
    Map<ReplicaId, VersionVector> out = new LinkedHashMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT replica_id, acknowledged FROM peers")) {
      while (rs.next()) {
        long peer = rs.getLong(1);
        VersionVector v = RowCodec.decodePeer(rs.getBytes(2), peer, "store " + name + ": peer "
            + Long.toHexString(peer));
        out.put(ReplicaId.of(peer), v);
      }
    } catch (IllegalArgumentException zeroId) {
      throw new StoreCorruptedException("store " + name + ": peer 0", zeroId);
    }
    return out;
  }

  static void saveVector(Connection c, ReplicaId peer, VersionVector acknowledged)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "MERGE INTO peers (replica_id, acknowledged) KEY (replica_id) VALUES (?, ?)")) {
      ps.setLong(1, peer.value());
      ps.setBytes(2, RowCodec.encodePeer(peer, acknowledged));
      ps.executeUpdate();
    }
  }

  static Optional<byte[]> trust(Connection c, ReplicaId peer) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT trust FROM peers WHERE replica_id = ?")) {
      ps.setLong(1, peer.value());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.ofNullable(rs.getBytes(1)) : Optional.empty();
      }
    }
  }

  static void saveTrust(Connection c, ReplicaId peer, VersionVector acknowledged, byte[] trust)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "MERGE INTO peers KEY (replica_id) VALUES (?, ?, ?)")) {
      ps.setLong(1, peer.value());
      ps.setBytes(2, RowCodec.encodePeer(peer, acknowledged));
      ps.setBytes(3, trust == null ? null : trust.clone());
      ps.executeUpdate();
    }
  }
}
