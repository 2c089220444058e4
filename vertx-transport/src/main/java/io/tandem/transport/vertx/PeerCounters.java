package io.tandem.transport.vertx;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** The live, thread-safe counters behind one {@link PeerMetrics}. */
final class PeerCounters {

  private final String remote;
  final AtomicLong bytesIn = new AtomicLong();
  final AtomicLong bytesOut = new AtomicLong();
  final AtomicLong framesIn = new AtomicLong();
  final AtomicLong framesOut = new AtomicLong();
  final AtomicLong connections = new AtomicLong();
  final AtomicLong reconnects = new AtomicLong();
  private final Map<RefusalReason, Long> refusals = new EnumMap<>(RefusalReason.class);
  private String lastRefusal;

  PeerCounters(String remote) {
    this.remote = remote;
  }

  synchronized void refused(RefusalReason reason, String detail) {
    refusals.merge(reason, 1L, Long::sum);
    lastRefusal = reason + ": " + detail;
  }

  synchronized PeerMetrics snapshot() {
    return new PeerMetrics(remote, bytesIn.get(), bytesOut.get(), framesIn.get(),
        framesOut.get(), connections.get(), reconnects.get(), refusals, lastRefusal);
  }
}
