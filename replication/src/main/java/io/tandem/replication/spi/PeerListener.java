package io.tandem.replication.spi;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * What a transport tells its replica. Calls for one peer never overlap; calls for different
 * peers may come from different threads.
 */
public interface PeerListener {

  /** A connection to {@code peer} is open; frames can be sent to it. */
  void peerUp(PeerId peer);

  /** The connection to {@code peer} is gone; frames in flight may be lost. */
  void peerDown(PeerId peer);

  /** One whole frame from {@code peer}, as it was sent; the buffer belongs to the listener. */
  void frame(PeerId peer, ByteBuffer frame);

  /**
   * Whole frames from {@code peer} that arrived together, in the order sent; the buffers belong
   * to the listener. A listener may handle them as one (a replica stores all their records in one
   * commit and acknowledges them in one ack); by default each is handed to {@link #frame}.
   */
  default void frames(PeerId peer, List<ByteBuffer> frames) {
    for (ByteBuffer f : frames) {
      frame(peer, f);
    }
  }
}
