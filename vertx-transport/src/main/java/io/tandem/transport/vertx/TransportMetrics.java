package io.tandem.transport.vertx;

import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable snapshot of a {@link VertxTransport}'s counters.
 *
 * @param openConnections connections open now, authenticated or not
 * @param peers per remote endpoint (see {@link PeerMetrics#remote()}), sorted by name
 */
public record TransportMetrics(int openConnections, Map<String, PeerMetrics> peers) {

  public TransportMetrics {
    peers = java.util.Collections.unmodifiableMap(new TreeMap<>(peers));
  }

  /** The refusals for {@code reason}, over every remote. */
  public long refusals(RefusalReason reason) {
    return peers.values().stream().mapToLong(p -> p.refusals(reason)).sum();
  }

  public long framesIn() {
    return peers.values().stream().mapToLong(PeerMetrics::framesIn).sum();
  }

  public long framesOut() {
    return peers.values().stream().mapToLong(PeerMetrics::framesOut).sum();
  }
}
