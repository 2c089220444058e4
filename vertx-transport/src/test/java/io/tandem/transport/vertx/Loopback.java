package io.tandem.transport.vertx;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Test settings on 127.0.0.1: a free port, no discovery, short backoff, and a poll-wait. */
final class Loopback {

  private Loopback() {}

  static VertxTransportOptions options() {
    return VertxTransportOptions.defaults().withListen("127.0.0.1", 0)
        .withBackoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200)))
        .withDiscovery(Discovery.Options.OFF);
  }

  static ChannelSecurity plain(String device) {
    return ChannelSecurity.plainTcpForLoopbackTests(device);
  }

  /** Polls {@code condition} until it holds; fails after {@code timeout}. */
  static void await(String what, BooleanSupplier condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting until " + what);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting until " + what, e);
      }
    }
  }
}
