package io.tandem.transport.vertx;

import io.tandem.replication.spi.PeerId;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * One TCP connection: its decoder, its outbox and its timers, on the connection's own Vert.x
 * context. The listener hears of the peer on worker threads, one call at a time and in order
 * (an ordered blocking queue of that context), and never before this side has read the peer's
 * preamble.
 *
 * <p>Vert.x has no timeouts of its own here, so a periodic check closes a connection whose
 * preamble is late (a slow-loris), that has read nothing for the idle timeout, or whose frame
 * body has not completed within it; and sends a heartbeat (an empty frame) when this side has
 * written nothing for a third of the idle timeout, so a quiet but healthy peer stays connected.
 */
final class Connection implements FrameDecoder.Sink {

  /** What a connection reports to its transport. */
  interface Owner {
    void up(Connection c);

    /** Frames decoded from one read, in order: the listener may handle them as one. */
    void frames(Connection c, List<ByteBuffer> frames);

    void refused(Connection c, RefusalReason reason, String detail);

    void closed(Connection c);
  }

  final PeerId id;
  final NetSocket socket;
  final PeerCounters counters;
  /** The dialer that made this connection, or null for an accepted one. */
  final Dialer dialer;
  private final Vertx vertx;
  private final Context context;
  private final Owner owner;
  /** Listener calls found in the chunk being decoded, handed to a worker together. */
  private List<Runnable> pendingCalls = new ArrayList<>();
  /** The frames of the chunk being decoded since the last other call, delivered as one call. */
  private List<ByteBuffer> pendingFrames;
  private final FrameDecoder decoder;
  private final Outbox outbox;
  private final long helloNanos;
  private final long idleNanos;
  private final long openedAt;
  private long lastRead;
  private long lastWrite;
  private long bodySince;
  private long timer = -1;
  private volatile boolean up;
  private volatile boolean closed;
  /** Set by close: frames still in the decoder's chunk are not delivered. */
  private volatile boolean closing;

  Connection(Vertx vertx, Context context, NetSocket socket, PeerId id, PeerCounters counters,
      Dialer dialer, VertxTransportOptions options, Owner owner) {
    this.vertx = vertx;
    this.context = context;
    this.socket = socket;
    this.id = id;
    this.counters = counters;
    this.dialer = dialer;
    this.owner = owner;
    this.helloNanos = options.helloTimeout().toNanos();
    this.idleNanos = options.idleTimeout().toNanos();
    this.decoder = new FrameDecoder(options.maxFrameBytes(), this);
    this.outbox = new Outbox(socket, context, options.maxPendingBytes(), (frames, bytes) -> {
      counters.framesOut.addAndGet(frames);
      counters.bytesOut.addAndGet(bytes);
      lastWrite = System.nanoTime();
    });
    this.openedAt = System.nanoTime();
    this.lastRead = openedAt;
    this.lastWrite = openedAt;
  }

  /** Wires the socket and sends the preamble; on the connection's context. */
  void open() {
    socket.handler(this::read);
    socket.closeHandler(v -> onClosed());
    socket.exceptionHandler(e -> close("socket error: " + e));
    long period = Math.max(10, TimeUnit.NANOSECONDS.toMillis(Math.min(helloNanos, idleNanos)) / 4);
    timer = vertx.setPeriodic(period, t -> check());
    socket.write(Buffer.buffer(FrameDecoder.PREAMBLE));
    counters.bytesOut.addAndGet(FrameDecoder.PREAMBLE.length);
  }

  boolean isUp() {
    return up && !closing && !closed;
  }

  CompletionStage<Void> send(byte[] frame) {
    return outbox.offer(frame);
  }

  /** Closes the socket and reads no further frame; the close handler reports peerDown. */
  void close(String reason) {
    closing = true;
    outbox.close(reason);
    socket.close();
  }

  private void read(Buffer bytes) {
    lastRead = System.nanoTime();
    counters.bytesIn.addAndGet(bytes.length());
    decoder.feed(bytes);
    deliver();
    if (!decoder.inBody()) {
      bodySince = 0;
    } else if (bodySince == 0) {
      bodySince = lastRead;
    }
  }

  @Override
  public void preamble() {
    if (closing) {
      return;
    }
    up = true;
    counters.connections.incrementAndGet();
    pendingFrames = null;
    pendingCalls.add(() -> owner.up(this));
  }

  @Override
  public void heartbeat() {
    // Its arrival already moved lastRead on.
  }

  @Override
  public void frame(Buffer body) {
    if (closing) {
      return;
    }
    ByteBuffer frame = ByteBuffer.wrap(body.getBytes());
    if (pendingFrames != null) {
      pendingFrames.add(frame);
      return;
    }
    List<ByteBuffer> frames = new ArrayList<>();
    frames.add(frame);
    pendingFrames = frames;
    pendingCalls.add(() -> {
      // Counted when delivered: frames behind a violation in the same chunk are not.
      if (!closing) {
        counters.framesIn.addAndGet(frames.size());
        owner.frames(this, frames);
      }
    });
  }

  @Override
  public void refuse(RefusalReason reason, String detail) {
    if (!closed) {
      owner.refused(this, reason, detail);
      close(reason + ": " + detail);
    }
  }

  private void check() {
    if (closed) {
      return;
    }
    long now = System.nanoTime();
    if (!decoder.helloDone()) {
      if (now - openedAt > helloNanos) {
        refuse(RefusalReason.HELLO_TIMEOUT, "no preamble within "
            + TimeUnit.NANOSECONDS.toMillis(helloNanos) + " ms");
      }
      return;
    }
    if (now - lastRead > idleNanos) {
      refuse(RefusalReason.IDLE_TIMEOUT, "nothing read for "
          + TimeUnit.NANOSECONDS.toMillis(now - lastRead) + " ms");
    } else if (bodySince != 0 && now - bodySince > idleNanos) {
      refuse(RefusalReason.INCOMPLETE_FRAME, "a frame body still incomplete after "
          + TimeUnit.NANOSECONDS.toMillis(now - bodySince) + " ms");
    } else if (now - lastWrite > idleNanos / 3 && !socket.writeQueueFull()) {
      socket.write(Buffer.buffer(new byte[FrameDecoder.LENGTH_BYTES]));
      counters.bytesOut.addAndGet(FrameDecoder.LENGTH_BYTES);
      lastWrite = now;
    }
  }

  private void onClosed() {
    if (closed) {
      return;
    }
    closed = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    outbox.close("connection " + id + " closed");
    // After every frame already handed over, on the same ordered worker queue.
    context.executeBlocking(() -> {
      owner.closed(this);
      return null;
    }, true);
  }

  /**
   * Hands the listener calls of the chunk just decoded to a worker thread, in order, and stops
   * reading until they are done: the listener may block (a store commit) without stalling the
   * event loop, and TCP's window, not a queue, holds the sender back meanwhile. A chunk holds
   * at most a read buffer's worth of frames, so the calls handed over at once are bounded.
   */
  private void deliver() {
    if (pendingCalls.isEmpty()) {
      return;
    }
    List<Runnable> calls = pendingCalls;
    pendingCalls = new ArrayList<>();
    pendingFrames = null;
    socket.pause();
    context.executeBlocking(() -> {
      calls.forEach(Runnable::run);
      return null;
    }, true).onComplete(done -> {
      if (done.failed()) {
        close("listener failed: " + done.cause());
      } else if (!closed) {
        socket.resume();
      }
    });
  }

  /** Whether the listener was told of this connection, and so is owed a peerDown. */
  boolean wasUp() {
    return up;
  }

  @Override
  public String toString() {
    return id.toString();
  }
}
