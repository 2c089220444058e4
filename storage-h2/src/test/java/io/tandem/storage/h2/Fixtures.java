package io.tandem.storage.h2;

import io.tandem.crdt.GCounter;
import io.tandem.crdt.Hlc;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.replication.log.DeltaRecord;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Records to store, and raw SQL on a closed store's file, as an outsider would do it. */
final class Fixtures {

  static final ReplicaId SELF = ReplicaId.of(0x5e1f);
  static final ReplicaId X = ReplicaId.of(0xaaaa);
  static final ReplicaId Y = ReplicaId.of(0xbbbb);

  /**
   * A record whose payload, a real delta (a replica can replay it), tells its feed and seq apart
   * from every other.
   */
  static DeltaRecord record(ReplicaId origin, long seq) {
    byte[] payload = BinaryCodec.encode(GCounter.empty().increment(origin, seq));
    VersionVector deps = origin.equals(X) ? VersionVector.empty() : VersionVector.of(X, seq);
    return new DeltaRecord(origin, seq, deps, new Hlc(1_700_000_000_000L + seq, 0, origin),
        "counter-" + seq % 3, payload);
  }

  static List<DeltaRecord> feed(ReplicaId origin, long from, long to) {
    List<DeltaRecord> out = new ArrayList<>();
    for (long s = from; s <= to; s++) {
      out.add(record(origin, s));
    }
    return out;
  }

  /**
   * Appends {@code records} and checkpoints them at once, so that they take rows of their own,
   * as tests of the rows' layout need (without, the journal gathers many appends in one row).
   */
  static void appendAsRows(H2ReplicaStore store, List<DeltaRecord> records) {
    store.append(records);
    store.checkpointNow();
  }

  /** A JDBC connection on the store's file (closed store), autocommit on. */
  static Connection raw(Path dir) throws SQLException {
    return DriverManager.getConnection("jdbc:h2:file:" + dir.resolve(H2ReplicaStore.NAME)
        + ";IFEXISTS=TRUE;WRITE_DELAY=0", "sa", "");
  }

  static void sql(Path dir, String... statements) throws SQLException {
    try (Connection c = raw(dir); Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  static long count(Path dir, String query) throws SQLException {
    try (Connection c = raw(dir); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private Fixtures() {}
}
