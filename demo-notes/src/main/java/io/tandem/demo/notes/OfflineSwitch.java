package io.tandem.demo.notes;

import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.PeerListener;
import io.tandem.replication.spi.Transport;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A device's offline switch over any transport. Off closes every connection the transport has
 * (the replica's sessions end at once, on both sides) and closes each new one as soon as it comes
 * up, so no frame passes either way; on lets the transport's own redialing bring peers back.
 */
final class OfflineSwitch implements Transport, Connectivity {

  private final Transport inner;
  private final Set<PeerId> up = new HashSet<>();
  private PeerListener listener;
  private boolean online = true;

  OfflineSwitch(Transport inner) {
    this.inner = inner;
  }

  @Override
  public void start(PeerListener replica) {
    synchronized (this) {
      this.listener = replica;
    }
    inner.start(new PeerListener() {
      @Override
      public void peerUp(PeerId peer) {
        synchronized (OfflineSwitch.this) {
          if (!online) {
            inner.disconnect(peer, "device is offline");
            return;
          }
          up.add(peer);
        }
        replica.peerUp(peer);
      }

      @Override
      public void peerDown(PeerId peer) {
        synchronized (OfflineSwitch.this) {
          if (!up.remove(peer)) {
            return;
          }
        }
        replica.peerDown(peer);
      }

      @Override
      public void frame(PeerId peer, ByteBuffer frame) {
        synchronized (OfflineSwitch.this) {
          if (!up.contains(peer)) {
            return;
          }
        }
        replica.frame(peer, frame);
      }
    });
  }

  @Override
  public CompletionStage<Void> send(PeerId peer, ByteBuffer frame) {
    synchronized (this) {
      if (!up.contains(peer)) {
        return CompletableFuture.failedFuture(
            new IllegalStateException("not connected to " + peer + " (offline: " + !online + ")"));
      }
    }
    return inner.send(peer, frame);
  }

  @Override
  public boolean ordered() {
    return inner.ordered();
  }

  @Override
  public void disconnect(PeerId peer, String reason) {
    inner.disconnect(peer, reason);
  }

  @Override
  public void close() {
    inner.close();
  }

  @Override
  public synchronized boolean online() {
    return online;
  }

  @Override
  public void setOnline(boolean on) {
    List<PeerId> cut;
    PeerListener replica;
    synchronized (this) {
      online = on;
      if (on) {
        return;
      }
      cut = List.copyOf(up);
      up.clear();
      replica = listener;
    }
    for (PeerId p : cut) {
      inner.disconnect(p, "switched offline");
      if (replica != null) {
        replica.peerDown(p);
      }
    }
  }
}
