package io.tandem.transport.vertx;

import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.PeerListener;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;

/** A listener that notes the peer that came up (if given where) and ignores the rest. */
class UpListener implements PeerListener {
  private final AtomicReference<PeerId> up;

  UpListener(AtomicReference<PeerId> up) {
    this.up = up;
  }

  @Override
  public void peerUp(PeerId peer) {
    if (up != null) {
      up.set(peer);
    }
  }

  @Override
  public void peerDown(PeerId peer) {}

  @Override
  public void frame(PeerId peer, ByteBuffer frame) {}
}
