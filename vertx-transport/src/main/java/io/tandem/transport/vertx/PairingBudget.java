package io.tandem.transport.vertx;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * How many pairing attempts may fail within a sliding time window. Each failed attempt, wrong
 * code or broken exchange, spends one; when none is left, new pairings are refused until the
 * oldest failure leaves the window. With the defaults (5 per 10 minutes) an online guesser who
 * wins each attempt with probability 10^-6, against a pairing offered without pause, needs about
 * 2.6 years of visible failures for an even chance; in practice an attempt exists only while a
 * user pairs.
 * Time is passed in, never read.
 */
public final class PairingBudget {

  private final int maxFailures;
  private final long windowMillis;
  private final Deque<Long> failures = new ArrayDeque<>();

  public PairingBudget(int maxFailures, Duration window) {
    if (maxFailures < 1 || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("a budget allows at least 1 failure in a positive window");
    }
    this.maxFailures = maxFailures;
    this.windowMillis = window.toMillis();
  }

  /** Five failures per ten minutes. */
  public static PairingBudget standard() {
    return new PairingBudget(5, Duration.ofMinutes(10));
  }

  /** The attempts that may still fail at {@code nowMillis}. */
  public synchronized int remaining(long nowMillis) {
    forget(nowMillis);
    return maxFailures - failures.size();
  }

  /** Spends one attempt. */
  public synchronized void failed(long nowMillis) {
    forget(nowMillis);
    if (failures.size() < maxFailures) {
      failures.addLast(nowMillis);
    }
  }

  private void forget(long nowMillis) {
    while (!failures.isEmpty() && failures.peekFirst() <= nowMillis - windowMillis) {
      failures.removeFirst();
    }
  }
}
