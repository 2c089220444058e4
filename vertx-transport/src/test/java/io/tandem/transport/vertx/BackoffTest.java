package io.tandem.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Backoff doubles from the initial delay up to the cap, jittered within the upper half. */
class BackoffTest {

  private static final Backoff B = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));

  @Test
  void delayLiesInTheUpperHalfOfTheCappedExponential() {
    qt().withExamples(2000).forAll(integers().between(0, 1000), longs().all())
        .checkAssert((attempt, seed) -> {
          long d = Math.min(10_000, 100L << Math.min(attempt, 20));
          assertThat(B.delayMillis(attempt, new SplittableRandom(seed))).isBetween(d / 2, d);
        });
  }

  @Test
  void jitterSpreadsDevicesThatRetryTogether() {
    SplittableRandom r = new SplittableRandom(1);
    long distinct = java.util.stream.IntStream.range(0, 100)
        .mapToLong(i -> B.delayMillis(6, r)).distinct().count();
    assertThat(distinct).isGreaterThan(50);
  }
}
