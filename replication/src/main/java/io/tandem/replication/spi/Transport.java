package io.tandem.replication.spi;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

/**
 * Moves frames between this replica and its peers. A transport carries bytes and nothing else:
 * it does not look into frames, retry, reorder or deduplicate; the sync protocol copes with loss,
 * duplication, reordering and delay. It may split no frame: a frame arrives whole or not at all.
 */
public interface Transport extends AutoCloseable {

  /** Starts delivering events to {@code listener}; called once, before any send. */
  void start(PeerListener listener);

  /**
   * Sends one frame to {@code peer}. Completes when the transport has taken the frame, not when
   * the peer has it; fails if the peer is not connected. A transport applies back-pressure by
   * completing late or by failing when its bounded queue is full, never by buffering without
   * bound; the sync protocol treats a failed send as a lost frame.
   */
  CompletionStage<Void> send(PeerId peer, ByteBuffer frame);

  /**
   * Whether frames to one peer arrive in the order sent, as over one TCP connection. Sessions
   * over an ordered transport treat a message before the hello as a violation; over an unordered
   * one (datagrams, the simulator) it may just have overtaken the hello, and is ignored.
   */
  default boolean ordered() {
    return true;
  }

  /**
   * Whether the transport delivers frames on threads of its own that should go back to reading
   * at once, as a socket's do: the replica then applies received records on the store's thread
   * once they are durable, so a peer's stream is stored in a pipeline instead of a commit per
   * read. A transport that needs a delivery done when its call returns (the simulator, which
   * runs to quiet in virtual time) keeps the default, and the delivering thread waits.
   */
  default boolean pipelined() {
    return false;
  }

  /** Closes the connection to {@code peer}, for instance after a protocol violation. */
  void disconnect(PeerId peer, String reason);

  /** Closes every connection and stops; no event is delivered afterwards. */
  @Override
  void close();
}
