package io.tandem.transport.vertx;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * What one remote endpoint cost and did, summed over all its connections: a dialed address
 * ({@code host:port}), or for accepted connections the authenticated device (its key
 * fingerprint) or, over plain TCP, the remote host. Bytes count the length prefixes too.
 *
 * @param remote the endpoint, as above
 * @param connections connections that got through the preamble
 * @param reconnects connection attempts after the first, to a dialed address
 * @param refusals per reason, how often this side refused or closed a connection to it
 * @param lastRefusal the detail of the latest refusal, or null
 */
public record PeerMetrics(String remote, long bytesIn, long bytesOut, long framesIn,
    long framesOut, long connections, long reconnects, Map<RefusalReason, Long> refusals,
    String lastRefusal) {

  public PeerMetrics {
    Objects.requireNonNull(remote, "remote");
    refusals = refusals.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(refusals));
  }

  /** How often a connection to it was refused for {@code reason}. */
  public long refusals(RefusalReason reason) {
    return refusals.getOrDefault(reason, 0L);
  }
}
