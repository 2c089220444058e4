package io.tandem.bench;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The earliest a message could have reached a node, given the world: the earliest-arrival
 * time over every time-respecting path from its author, where any node on the way may hold the
 * message and pass it on the moment it has a link onwards (store and forward). No protocol can
 * do better, so every latency of part 4 has this floor beside it.
 */
final class Oracle {

  private final World world;
  private final List<String> nodes;

  /** @param nodes the nodes that may carry messages, the author and the recipients among them */
  Oracle(World world, List<String> nodes) {
    this.world = world;
    this.nodes = List.copyOf(nodes);
  }

  /** The earliest {@code to} could hold a message {@code author} wrote at {@code t}. */
  long arrival(String author, long t, String to) {
    Map<String, Long> best = new HashMap<>();
    Set<String> settled = new HashSet<>();
    best.put(author, t);
    while (true) {
      String u = null;
      for (String n : nodes) {
        if (!settled.contains(n) && best.containsKey(n)
            && (u == null || best.get(n) < best.get(u))) {
          u = n;
        }
      }
      if (u == null) {
        return Long.MAX_VALUE;
      }
      if (u.equals(to)) {
        return best.get(u);
      }
      settled.add(u);
      for (String v : nodes) {
        if (settled.contains(v)) {
          continue;
        }
        long send = world.earliestSend(u, v, best.get(u));
        if (send != Long.MAX_VALUE) {
          long at = send + World.LINK_DELAY_MILLIS;
          best.merge(v, at, Math::min);
        }
      }
    }
  }
}
