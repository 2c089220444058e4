package io.tandem.storage.h2;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the appends of one group against the store and each other, as
 * {@code InMemoryReplicaStore} does: a record must continue its feed without a gap; one at or
 * below the feed's end is a repeat, ignored if identical to the record held and refused if not.
 * A refused call contributes nothing. What is left is, per feed, one run of fresh records.
 */
final class Validation {

  private final VersionVector committed;
  private final VersionVector floor;
  private final Rows rows;
  private VersionVector next;
  private final Map<ReplicaId, List<DeltaRecord>> fresh = new LinkedHashMap<>();
  /** The last stored row decoded, as repeats tend to come in runs. */
  private List<DeltaRecord> row = List.of();

  /** Where held records are looked up: the database's rows, or the journal's tail. */
  @FunctionalInterface
  interface Rows {
    /** Every record of the run holding {@code seq} of {@code origin}; empty if none does. */
    List<DeltaRecord> holding(ReplicaId origin, long seq) throws SQLException;
  }

  Validation(VersionVector committed, VersionVector floor, Rows rows) {
    this.committed = committed;
    this.floor = floor;
    this.rows = rows;
    this.next = committed;
  }

  /**
   * Takes one call's records into the group, or none of them.
   *
   * @throws IllegalArgumentException if one would leave a gap or differs from the record held
   */
  void accept(List<DeltaRecord> records) throws SQLException {
    Map<ReplicaId, Long> expected = new HashMap<>();
    Map<ReplicaId, List<DeltaRecord>> mine = new LinkedHashMap<>();
    for (DeltaRecord r : records) {
      long exp = expected.computeIfAbsent(r.origin(), o -> next.get(o) + 1);
      if (r.seq() < exp) {
        DeltaRecord held = held(r.origin(), r.seq(), mine);
        if (held != null && !held.equals(r)) {
          throw new IllegalArgumentException("seq " + r.seq() + " of " + r.origin()
              + " is stored with other content");
        }
        continue;
      }
      if (r.seq() != exp) {
        throw new IllegalArgumentException("record " + r + " leaves a gap after " + (exp - 1));
      }
      expected.put(r.origin(), exp + 1);
      mine.computeIfAbsent(r.origin(), o -> new ArrayList<>()).add(r);
    }
    mine.forEach((origin, run) -> {
      fresh.computeIfAbsent(origin, o -> new ArrayList<>()).addAll(run);
      next = next.with(origin, run.get(run.size() - 1).seq());
    });
  }

  /** Per feed, the records to write, consecutive and in order. */
  Map<ReplicaId, List<DeltaRecord>> fresh() {
    return fresh;
  }

  /** The store's vector once the fresh records are committed. */
  VersionVector next() {
    return next;
  }

  /** The record held at {@code seq}, or null if the snapshot folded it in. */
  private DeltaRecord held(ReplicaId origin, long seq, Map<ReplicaId, List<DeltaRecord>> mine)
      throws SQLException {
    DeltaRecord r = at(mine.get(origin), seq);
    if (r == null) {
      r = at(fresh.get(origin), seq);
    }
    if (r != null || seq <= floor.get(origin)) {
      return r;
    }
    r = at(row, seq);
    if (r == null || !r.origin().equals(origin)) {
      row = rows.holding(origin, seq);
      r = at(row, seq);
    }
    if (r == null && seq <= committed.get(origin)) {
      throw new StoreCorruptedException("feed " + origin + " reaches " + committed.get(origin)
          + " but holds no record " + seq);
    }
    return r;
  }

  private static DeltaRecord at(List<DeltaRecord> run, long seq) {
    if (run == null || run.isEmpty()) {
      return null;
    }
    long i = seq - run.get(0).seq();
    return i >= 0 && i < run.size() ? run.get((int) i) : null;
  }
}
