package io.tandem.replication.protocol;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;

/**
 * What one session knows of its peer: who it is and whether it is a relay (from its hello), and
 * what it holds. Shared by the parts of a {@link SyncSession}, which all decide from the same
 * belief: the handshake opens it, and what the peer says or sends (summaries, acks, offers,
 * records) moves its vector.
 *
 * <p>Law: {@link #vector} never states more than the peer holds: it grows by what the peer said
 * (summaries, acks, offers, the records it sent) and is replaced only by a whole summary the peer
 * sent after a stall.
 */
final class PeerView {

  private ReplicaId id;
  private boolean relay;
  private VersionVector vector = VersionVector.empty();

  /** The peer's replica, once its hello arrived; null before. */
  ReplicaId id() {
    return id;
  }

  /** Whether the peer said in its hello that it is a relay. */
  boolean relay() {
    return relay;
  }

  /** The peer's hello arrived: it is {@code replica}, a relay or not. */
  void open(ReplicaId replica, boolean isRelay) {
    this.id = replica;
    this.relay = isRelay;
  }

  /** What the peer holds, as far as we know. */
  VersionVector vector() {
    return vector;
  }

  void vector(VersionVector v) {
    this.vector = v;
  }
}
