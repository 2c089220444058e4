package io.tandem.transport.vertx;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The frames waiting to be written to one socket, coalesced: every frame offered between two
 * flushes goes out in one write (TLS makes a record per write, so small frames would each cost
 * a record).
 *
 * <p>Bounded, and never buffering without bound: while the socket's write queue is full nothing
 * is flushed, frames wait here and their sends complete late, when the queue drains; a frame
 * that would take this outbox over its bound fails at once (the sync protocol treats that as a
 * lost frame). One frame is always accepted into an empty outbox, so a frame up to the maximum
 * frame size can be sent whatever the bound.
 */
final class Outbox {

  /** What a flush reports: bytes and frames handed to the socket. */
  interface Written {
    void written(int frames, int bytes);
  }

  private final NetSocket socket;
  private final Context context;
  private final int maxPendingBytes;
  private final Written written;
  private Buffer pending = Buffer.buffer();
  private int pendingFrames;
  private List<CompletableFuture<Void>> waiting = new ArrayList<>();
  private boolean flushScheduled;
  private String closedReason;

  Outbox(NetSocket socket, Context context, int maxPendingBytes, Written written) {
    this.socket = socket;
    this.context = context;
    this.maxPendingBytes = maxPendingBytes;
    this.written = written;
    socket.drainHandler(v -> flush());
  }

  /** Queues one frame (zero bytes: a heartbeat); completes when it is handed to the socket. */
  CompletionStage<Void> offer(byte[] frame) {
    CompletableFuture<Void> taken = new CompletableFuture<>();
    boolean schedule;
    synchronized (this) {
      if (closedReason != null) {
        return CompletableFuture.failedFuture(new PeerGoneException(closedReason));
      }
      int size = FrameDecoder.LENGTH_BYTES + frame.length;
      if (pending.length() > 0 && pending.length() + size > maxPendingBytes) {
        return CompletableFuture.failedFuture(new WriteQueueFullException(
            "write queue full: " + pending.length() + " bytes wait for a slow peer"));
      }
      pending.appendInt(frame.length).appendBytes(frame);
      pendingFrames++;
      waiting.add(taken);
      schedule = !flushScheduled;
      flushScheduled = true;
    }
    if (schedule) {
      context.runOnContext(v -> flush());
    }
    return taken;
  }

  /** Writes what waits, unless the socket's queue is full (the drain handler comes back). */
  void flush() {
    Buffer out;
    int frames;
    List<CompletableFuture<Void>> done;
    synchronized (this) {
      flushScheduled = false;
      if (closedReason != null || pending.length() == 0 || socket.writeQueueFull()) {
        return;
      }
      out = pending;
      frames = pendingFrames;
      done = waiting;
      pending = Buffer.buffer();
      pendingFrames = 0;
      waiting = new ArrayList<>();
    }
    socket.write(out);
    written.written(frames, out.length());
    done.forEach(f -> f.complete(null));
  }

  /** Fails every waiting send and every later one. */
  void close(String reason) {
    List<CompletableFuture<Void>> failed;
    synchronized (this) {
      if (closedReason != null) {
        return;
      }
      closedReason = reason;
      failed = waiting;
      waiting = new ArrayList<>();
      pending = Buffer.buffer();
    }
    failed.forEach(f -> f.completeExceptionally(new PeerGoneException(reason)));
  }
}
