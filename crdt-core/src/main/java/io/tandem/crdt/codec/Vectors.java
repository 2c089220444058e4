package io.tandem.crdt.codec;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import java.util.List;

/**
 * Builds a version vector from decoded entries. {@link VersionVector#of(java.util.Map)} adds one
 * entry at a time, copying the arrays each time; a hostile input of half a million replicas would
 * make that quadratic. Merging halves of distinct replicas costs n log n instead.
 */
final class Vectors {

  private Vectors() {}

  /**
   * The vector of these entries, whose replicas are distinct and counters positive.
   *
   * @throws IllegalArgumentException if a counter is negative
   */
  static VersionVector of(List<ReplicaId> replicas, List<Long> counters) {
    return replicas.isEmpty() ? VersionVector.empty() : of(replicas, counters, 0, replicas.size());
  }

  private static VersionVector of(List<ReplicaId> r, List<Long> c, int from, int to) {
    if (to - from == 1) {
      return VersionVector.of(r.get(from), c.get(from));
    }
    int mid = (from + to) >>> 1;
    return of(r, c, from, mid).merge(of(r, c, mid, to));
  }
}
