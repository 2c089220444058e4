package io.tandem.replication;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;

/**
 * Sync status with one peer, for apps to show.
 *
 * @param connected whether a session with it is open now
 * @param pendingOut records this replica holds that the peer lacks, as far as it knows
 * @param pendingIn records the peer holds that this replica lacks, as far as it knows
 * @param lastExchange virtual or wall millis of the last frame either way; -1 if never
 * @param vector what the peer was last known to hold
 */
public record PeerStatus(ReplicaId peer, boolean connected, long pendingOut, long pendingIn,
    long lastExchange, VersionVector vector) {

  /** Whether both sides hold the same records, as far as this replica knows. */
  public boolean inSync() {
    return connected && pendingOut == 0 && pendingIn == 0;
  }
}
