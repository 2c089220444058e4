package io.tandem.replication.memory;

import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.PeerListener;
import io.tandem.replication.spi.Transport;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One endpoint of an {@link InMemoryNetwork}. Everything addressed to it (peer events and frames)
 * runs on a daemon thread of its own, in the order it was queued: never on the sender's thread,
 * so a listener may send while it handles a frame, and calls never overlap.
 *
 * <p>Frames waiting for that thread are bounded; a send to an endpoint whose queue is full fails
 * at once, which is how a slow receiver pushes back. Peer events do not count against the bound:
 * losing a peerDown would leave a session open for ever.
 */
public final class InMemoryTransport implements Transport {

  private final InMemoryNetwork network;
  private final String name;
  private final PeerId id;
  private final int inboundBound;
  private final AtomicInteger queuedFrames = new AtomicInteger();
  private final ExecutorService inbox;
  private volatile PeerListener listener;
  private volatile boolean closed;

  InMemoryTransport(InMemoryNetwork network, String name, int inboundBound) {
    this.network = network;
    this.name = name;
    this.id = PeerId.of(name);
    this.inboundBound = inboundBound;
    this.inbox = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "tandem-in-memory-" + name);
      t.setDaemon(true);
      return t;
    });
  }

  /** The name this endpoint was created with, which is also its PeerId at its peers. */
  public String name() {
    return name;
  }

  PeerId id() {
    return id;
  }

  boolean started() {
    return listener != null;
  }

  boolean closed() {
    return closed;
  }

  @Override
  public void start(PeerListener listener) {
    Objects.requireNonNull(listener, "listener");
    network.start(this, listener);
  }

  /** Called by the network, under its lock. */
  void setListener(PeerListener listener) {
    if (this.listener != null) {
      throw new IllegalStateException(name + " already started");
    }
    this.listener = listener;
  }

  @Override
  public CompletionStage<Void> send(PeerId peer, ByteBuffer frame) {
    Objects.requireNonNull(peer, "peer");
    // Copy before anything else: the caller may reuse its buffer as soon as send returns.
    byte[] bytes = new byte[frame.remaining()];
    frame.duplicate().get(bytes);
    return network.send(this, peer, bytes);
  }

  @Override
  public void disconnect(PeerId peer, String reason) {
    network.disconnect(this, peer, reason);
  }

  @Override
  public void close() {
    network.close(this);
  }

  /** Marks the endpoint closed; the network's lock is held. */
  void markClosed() {
    closed = true;
    inbox.shutdown();
  }

  /** Queues a frame from {@code from}; false if the inbound queue is full or shut. */
  boolean offerFrame(PeerId from, byte[] bytes) {
    if (queuedFrames.incrementAndGet() > inboundBound) {
      queuedFrames.decrementAndGet();
      return false;
    }
    try {
      inbox.execute(() -> {
        queuedFrames.decrementAndGet();
        if (!closed) {
          listener.frame(from, ByteBuffer.wrap(bytes));
        }
      });
      return true;
    } catch (RejectedExecutionException shut) {
      queuedFrames.decrementAndGet();
      return false;
    }
  }

  /** Queues peerUp or peerDown for {@code peer}. */
  void offerPeerEvent(PeerId peer, boolean up) {
    try {
      inbox.execute(() -> {
        if (closed) {
          return;
        }
        if (up) {
          listener.peerUp(peer);
        } else {
          listener.peerDown(peer);
        }
      });
    } catch (RejectedExecutionException shut) {
      // Closed meanwhile: it is owed no more events.
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
