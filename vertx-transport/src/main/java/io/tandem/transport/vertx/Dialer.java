package io.tandem.transport.vertx;

import io.vertx.core.Vertx;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Keeps one static peer connected: dials it, and after a failed attempt or a lost connection
 * dials again after a {@link Backoff} delay. A connection that got as far as the preamble
 * resets the backoff. Runs on the Vert.x context of its timers.
 */
final class Dialer {

  private final Vertx vertx;
  final PeerAddress address;
  final PeerCounters counters;
  private final Backoff backoff;
  private final Consumer<Dialer> dial;
  private final SplittableRandom random;
  private int attempt;
  private boolean dialedOnce;
  private long timer = -1;
  private volatile boolean stopped;
  private boolean paused;

  /** {@code dial} makes one attempt and reports back through {@link #failed} or {@link #lost}. */
  Dialer(Vertx vertx, PeerAddress address, PeerCounters counters, Backoff backoff, long seed,
      Consumer<Dialer> dial) {
    this.vertx = vertx;
    this.address = address;
    this.counters = counters;
    this.backoff = backoff;
    this.dial = dial;
    this.random = new SplittableRandom(seed);
  }

  void start() {
    vertx.runOnContext(v -> attempt());
  }

  /** The attempt did not yield a connection. */
  synchronized void failed() {
    retryLater();
  }

  /** The connection it made is gone; {@code wasUp} if it had got through the preamble. */
  synchronized void lost(boolean wasUp) {
    if (wasUp) {
      attempt = 0;
    }
    retryLater();
  }

  /** Dials no more until {@link #resume}; a dial under way ends as it will, with no retry. */
  synchronized void pause() {
    paused = true;
    cancelTimer();
  }

  /** Dials again at once, with the backoff reset. */
  synchronized void resume() {
    if (!paused) {
      return;
    }
    paused = false;
    attempt = 0;
    cancelTimer();
    vertx.runOnContext(v -> attempt());
  }

  private void cancelTimer() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  void stop() {
    stopped = true;
    long t = timer;
    if (t >= 0) {
      vertx.cancelTimer(t);
    }
  }

  private synchronized void attempt() {
    timer = -1;
    if (stopped || paused) {
      return;
    }
    if (dialedOnce) {
      counters.reconnects.incrementAndGet();
    }
    dialedOnce = true;
    dial.accept(this);
  }

  private synchronized void retryLater() {
    if (stopped || paused) {
      return;
    }
    long delay = backoff.delayMillis(attempt++, random);
    timer = vertx.setTimer(Math.max(1, delay), t -> attempt());
  }
}
