package io.tandem.replication;

/**
 * How a replica hands its deltas to peers (the MVDS trade-off between latency and bandwidth).
 * Both modes converge under the same faults; they differ in what travels first.
 */
public enum SyncMode {
  /** Push new deltas at once: lowest latency; a lost push is resent. */
  BATCH,
  /** Offer the ids of new deltas and send only those the peer requests: no byte travels twice. */
  INTERACTIVE
}
