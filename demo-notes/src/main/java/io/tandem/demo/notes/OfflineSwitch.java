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
import java.util.function.Consumer;

/**
 * A device's offline switch over a transport that can pause its networking (for TCP,
 * {@code VertxTransport.setOffline}). Off pauses it: its connections close (the replica's
 * sessions end at once, on both sides), it dials no one and closes new inbound connections
 * quietly, so peers back off as from any unreachable device; on resumes it, and it redials at
 * once. A connection that still comes up while off is cut, so no frame passes either way.
 */
final class OfflineSwitch implements Transport, Connectivity {

  private final Transport inner;
  private final Consumer<Boolean> pause;
  private final Set<PeerId> up = new HashSet<>();
  private PeerListener listener;
  private boolean online = true;

  /** {@code pause} takes true to pause the transport's networking, false to resume it. */
  OfflineSwitch(Transport inner, Consumer<Boolean> pause) {
    this.inner = inner;
    this.pause = pause;
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
  public boolean pipelined() {
    return inner.pipelined();
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
      cut = on ? List.of() : List.copyOf(up);
      up.removeAll(cut);
      replica = listener;
    }
    pause.accept(!on);
    for (PeerId p : cut) {
      if (replica != null) {
        replica.peerDown(p);
      }
    }
  }
}
