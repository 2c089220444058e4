package io.tandem.transport.vertx;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link VertxTransport} listens, dials and bounds its connections. Immutable; start from
 * {@link #defaults()} and change a copy with the {@code with} methods.
 *
 * @param host the address the server binds ({@code 0.0.0.0} for a LAN, 127.0.0.1 for tests)
 * @param port the server's port; 0 picks a free one ({@link VertxTransport#port()} tells it)
 * @param peers addresses dialed at start and redialed after every loss, with backoff
 * @param maxFrameBytes the largest frame sent or accepted (a longer length prefix closes the
 *     connection before anything is allocated for it)
 * @param helloTimeout how long a new connection may take to complete its handshake and preamble
 * @param idleTimeout how long a connection may stay silent (heartbeats are sent at a third of
 *     it), and how long one frame's body may take to arrive
 * @param maxConnections connections open at once, in and out, authenticated or not
 * @param maxPendingBytes per connection, the bytes waiting for a slow peer before sends fail
 * @param backoff delays between attempts to redial a lost peer
 * @param discovery LAN announcements, or {@link Discovery.Options#OFF}
 */
public record VertxTransportOptions(String host, int port, List<PeerAddress> peers,
    int maxFrameBytes, Duration helloTimeout, Duration idleTimeout, int maxConnections,
    int maxPendingBytes, Backoff backoff, Discovery.Options discovery) {

  public static final int DEFAULT_MAX_FRAME_BYTES = 4 << 20;

  public VertxTransportOptions {
    Objects.requireNonNull(host, "host");
    peers = List.copyOf(peers);
    Objects.requireNonNull(backoff, "backoff");
    Objects.requireNonNull(discovery, "discovery");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (maxFrameBytes < 1 || maxConnections < 1 || maxPendingBytes < 1) {
      throw new IllegalArgumentException("frame size, connection and pending bounds must be "
          + "positive");
    }
    if (helloTimeout.isNegative() || helloTimeout.isZero() || idleTimeout.isNegative()
        || idleTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
  }

  /** Listens on every interface on port 47470, 4 MiB frames, 10 s hello, 60 s idle. */
  public static VertxTransportOptions defaults() {
    return new VertxTransportOptions("0.0.0.0", 47470, List.of(), DEFAULT_MAX_FRAME_BYTES,
        Duration.ofSeconds(10), Duration.ofSeconds(60), 64, 1 << 20, Backoff.DEFAULT,
        Discovery.Options.DEFAULT);
  }

  public VertxTransportOptions withListen(String host, int port) {
    return new VertxTransportOptions(host, port, peers, maxFrameBytes, helloTimeout,
        idleTimeout, maxConnections, maxPendingBytes, backoff, discovery);
  }

  public VertxTransportOptions withPeers(List<PeerAddress> peers) {
    return new VertxTransportOptions(host, port, peers, maxFrameBytes, helloTimeout,
        idleTimeout, maxConnections, maxPendingBytes, backoff, discovery);
  }

  public VertxTransportOptions withMaxFrameBytes(int maxFrameBytes) {
    return new VertxTransportOptions(host, port, peers, maxFrameBytes, helloTimeout,
        idleTimeout, maxConnections, maxPendingBytes, backoff, discovery);
  }

  public VertxTransportOptions withTimeouts(Duration helloTimeout, Duration idleTimeout) {
    return new VertxTransportOptions(host, port, peers, maxFrameBytes, helloTimeout,
        idleTimeout, maxConnections, maxPendingBytes, backoff, discovery);
  }

  public VertxTransportOptions withMaxConnections(int maxConnections) {
    return new VertxTransportOptions(host, port, peers, maxFrameBytes, helloTimeout,
        idleTimeout, maxConnections, maxPendingBytes, backoff, discovery);
  }

  public VertxTransportOptions withMaxPendingBytes(int maxPendingBytes) {
    return new VertxTransportOptions(host, port, peers, maxFrameBytes, helloTimeout,
        idleTimeout, maxConnections, maxPendingBytes, backoff, discovery);
  }

  public VertxTransportOptions withBackoff(Backoff backoff) {
    return new VertxTransportOptions(host, port, peers, maxFrameBytes, helloTimeout,
        idleTimeout, maxConnections, maxPendingBytes, backoff, discovery);
  }

  public VertxTransportOptions withDiscovery(Discovery.Options discovery) {
    return new VertxTransportOptions(host, port, peers, maxFrameBytes, helloTimeout,
        idleTimeout, maxConnections, maxPendingBytes, backoff, discovery);
  }
}
