package io.tandem.replication.sim;

import io.tandem.replication.sim.NetworkStats.Link;
import io.tandem.replication.sim.NetworkStats.Traffic;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** The mutable counters behind {@link NetworkStats}; touched only by the simulator's thread. */
final class StatsRecorder {

  private Traffic sent = Traffic.ZERO;
  private final Map<String, Traffic> byKind = new HashMap<>();
  private final Map<Link, Traffic> byLink = new HashMap<>();
  long delivered;
  long dropped;
  long duplicated;
  long lostInFlight;
  long refused;

  void sent(String from, String to, String kind, int bytes) {
    Traffic one = new Traffic(1, bytes);
    sent = sent.plus(one);
    byKind.merge(kind, one, Traffic::plus);
    byLink.merge(new Link(from, to), one, Traffic::plus);
  }

  NetworkStats snapshot() {
    return new NetworkStats(sent, new TreeMap<>(byKind), new TreeMap<>(byLink), delivered,
        dropped, duplicated, lostInFlight, refused);
  }

  void reset() {
    sent = Traffic.ZERO;
    byKind.clear();
    byLink.clear();
    delivered = 0;
    dropped = 0;
    duplicated = 0;
    lostInFlight = 0;
    refused = 0;
  }
}
