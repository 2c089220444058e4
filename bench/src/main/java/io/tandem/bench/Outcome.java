package io.tandem.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What one run of part 4 measured. The bandwidth multiplier is bytes on the wire (every frame a
 * node put on a link, lost or not) over payload bytes delivered (the body of each message once
 * per device that received it). A phone's multiplier takes the bytes on every link of that
 * phone, both directions, over the payload it had to move: its own messages up once, the other
 * phone's messages down once.
 *
 * @param arrived when each message reached each node, keyed {@code author + k + "@" + node}
 * @param wire bytes per directed link, keyed {@code "from->to"}
 * @param latency seconds from write to the other phone, per message (infinite if never)
 * @param directFloor the direct oracle's seconds for the same messages (X a device)
 * @param relayFloor the relay oracle's seconds for the same messages (X always online)
 * @param ranSeconds virtual time until the last message reached its last device (or the cap)
 * @param byKind bytes the network accepted, by frame kind (Tandem's message kinds)
 */
record Outcome(String system, String world, boolean relay, int bodyBytes, int each,
    List<String> devices, Map<String, Long> arrived, Map<String, Long> wire, double[] latency,
    double[] directFloor, double[] relayFloor, double ranSeconds, Map<String, Long> byKind) {

  /** The oracle of this row's own topology. */
  double[] floor() {
    return relay ? relayFloor : directFloor;
  }

  long wireBytes() {
    return wire.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Bytes on links that have {@code node} at one end. */
  long wireBytes(String node) {
    return wire.entrySet().stream()
        .filter(e -> e.getKey().startsWith(node + "->") || e.getKey().endsWith("->" + node))
        .mapToLong(Map.Entry::getValue).sum();
  }

  /** (message, device) pairs delivered, of all that should be. */
  int delivered() {
    return (int) arrived.keySet().stream().filter(k -> devices.contains(k.split("@")[1])).count();
  }

  int expected() {
    return 2 * each * (devices.size() - 1);
  }

  double multiplier() {
    return (double) wireBytes() / ((long) delivered() * bodyBytes);
  }

  double multiplier(String phone) {
    String other = phone.equals(Experiment.A) ? Experiment.B : Experiment.A;
    long up = 0;
    long down = 0;
    for (int k = 0; k < each; k++) {
      int key = k;
      if (devices.stream().anyMatch(d -> arrived.containsKey(phone + key + "@" + d))) {
        up++;
      }
      if (arrived.containsKey(other + k + "@" + phone)) {
        down++;
      }
    }
    return (double) wireBytes(phone) / ((up + down) * bodyBytes);
  }

  static double percentile(double[] values, double q) {
    double[] v = values.clone();
    Arrays.sort(v);
    if (v.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * v.length) - 1;
    return v[Math.max(0, Math.min(v.length - 1, rank))];
  }
}
