package io.tandem.replication;

import io.tandem.crdt.ReplicaId;

/**
 * Told of the ephemeral messages connected peers publish ({@link Replica#publish}): presence,
 * "typing…". Called outside the replica's lock, one message at a time, on the thread that
 * received it, so it may call the replica; keep it short.
 */
@FunctionalInterface
public interface EphemeralListener {

  /**
   * {@code origin}, a peer with a session open here, published {@code payload} under
   * {@code topic}. The array is this listener's own copy.
   */
  void received(ReplicaId origin, String topic, byte[] payload);
}
