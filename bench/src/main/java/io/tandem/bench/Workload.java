package io.tandem.bench;

import io.tandem.crdt.ReplicaId;

/**
 * The data every peer gets, so each measures the same work: {@code n} elements (set) or keys and
 * values (map) as fresh strings, and the identities of the writers.
 *
 * <p>Diverged replicas share {@code n - k} elements written by {@link #BASE}, and each adds
 * {@code k} of its own, so that each holds {@code n} and their join holds {@code n + k}.
 */
final class Workload {

  /** Writer of the shared part; the two diverging replicas are {@link #LEFT} and {@link #RIGHT}. */
  static final ReplicaId BASE = ReplicaId.of(0x5a17_3c0d_e11f_0001L);
  static final ReplicaId LEFT = ReplicaId.of(0x5a17_3c0d_e11f_0002L);
  static final ReplicaId RIGHT = ReplicaId.of(0x5a17_3c0d_e11f_0003L);

  private Workload() {}

  /** Set elements, {@code "e0" .. "e<n-1>"}. */
  static String[] elements(int n) {
    return strings("e", 0, n);
  }

  /** Map keys, {@code "k0" .. "k<n-1>"}. */
  static String[] keys(int n) {
    return strings("k", 0, n);
  }

  /** Map values, one per key, {@code "v0" .. "v<n-1>"}. */
  static String[] values(int n) {
    return strings("v", 0, n);
  }

  /** The elements only the left ({@code "l…"}) or right ({@code "r…"}) replica adds. */
  static String[] own(String prefix, int k) {
    return strings(prefix, 0, k);
  }

  static String[] strings(String prefix, int from, int to) {
    String[] out = new String[to - from];
    for (int i = from; i < to; i++) {
      out[i - from] = prefix + i;
    }
    return out;
  }
}
