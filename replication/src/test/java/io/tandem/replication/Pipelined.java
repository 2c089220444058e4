package io.tandem.replication;

import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.PeerListener;
import io.tandem.replication.spi.Transport;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

/** A transport as another, but {@link Transport#pipelined}: the replica then reads on. */
final class Pipelined {

  private Pipelined() {}

  /** {@code t}, saying it delivers on threads that should read on, as a socket's. */
  static Transport of(Transport t) {
    return new Transport() {
      @Override
      public void start(PeerListener listener) {
        t.start(listener);
      }

      @Override
      public CompletionStage<Void> send(PeerId peer, ByteBuffer frame) {
        return t.send(peer, frame);
      }

      @Override
      public boolean ordered() {
        return t.ordered();
      }

      @Override
      public boolean pipelined() {
        return true;
      }

      @Override
      public void disconnect(PeerId peer, String reason) {
        t.disconnect(peer, reason);
      }

      @Override
      public void close() {
        t.close();
      }
    };
  }
}
