package io.tandem.transport.vertx;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter, capped: the n-th retry waits a random time in
 * [d/2, d] where d = min(max, initial * 2^n). The jitter keeps devices that lost the same
 * network at the same moment from redialing in lock-step ("equal jitter", as in AWS's
 * Exponential Backoff and Jitter, 2015).
 */
public record Backoff(Duration initial, Duration max) {

  public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));

  public Backoff {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("need 0 < initial <= max: " + initial + ", " + max);
    }
  }

  /** The delay before retry number {@code attempt} (0 for the first retry), in milliseconds. */
  public long delayMillis(int attempt, RandomGenerator random) {
    long cap = max.toMillis();
    long d = initial.toMillis();
    for (int i = 0; i < attempt && d < cap; i++) {
      d *= 2;
    }
    d = Math.min(d, cap);
    long half = d / 2;
    return half + random.nextLong(d - half + 1);
  }
}
