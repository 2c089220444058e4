package io.tandem.bench;

import java.util.Map;

/**
 * What one reconnect cost, deltas excluded: the sync protocol's own bytes and frames, both
 * directions, and how many round trips passed until the link fell quiet and until the device
 * held everything its peer held.
 *
 * @param feeds how many feeds (origins) both sides know
 * @param updated how many of them changed on the peer while the device was away
 * @param bytes handshake bytes, both directions, deltas excluded
 * @param frames handshake frames (or messages), both directions
 * @param roundTrips until the last frame arrived
 * @param caughtUp round trips until the device held all the peer's records
 * @param byKind handshake bytes per frame kind
 */
record Handshake(int feeds, int updated, String mode, long bytes, long frames, double roundTrips,
    double caughtUp, Map<String, Long> byKind) {}
