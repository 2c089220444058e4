package io.tandem.bench;

import io.tandem.replication.sim.LinkConditions;
import io.tandem.replication.sim.SimulatedNetwork;
import java.util.List;
import java.util.SplittableRandom;

/**
 * World model (a), MVDS' own: every send is lost with probability {@code drop}. So that every
 * system faces the same losses, the draw is made once per directed link and epoch rather than
 * per frame: in each one-second slot a link direction either carries everything sent on it or
 * loses everything. MVDS sends at most one payload per peer and epoch, so for it this is exactly
 * "each send dropped independently"; a protocol that sends several frames in one second shares
 * their fate, as frames sent in the same moment over a flaky radio do.
 */
final class DropSlots implements World {

  private final long seed;
  private final long start;
  private final List<String> nodes;
  private final double drop;

  DropSlots(long seed, long start, List<String> nodes, double drop) {
    this.seed = seed;
    this.start = start;
    this.nodes = List.copyOf(nodes);
    this.drop = drop;
  }

  @Override
  public String name() {
    return "(a) sends dropped";
  }

  /** Whether frames from {@code from} to {@code to} get through during {@code slot}. */
  boolean carries(String from, String to, long slot) {
    long link = (long) nodes.indexOf(from) * nodes.size() + nodes.indexOf(to);
    long mixed = seed * 0x9E3779B97F4A7C15L + link * 0xC2B2AE3D27D4EB4FL + slot;
    return new SplittableRandom(mixed).nextDouble() >= drop;
  }

  @Override
  public void apply(SimulatedNetwork net, long horizonMillis) {
    long slots = (horizonMillis + Mvds.EPOCH_MILLIS - 1) / Mvds.EPOCH_MILLIS;
    long first = (net.now() - start) / Mvds.EPOCH_MILLIS;
    for (long s = first; s < slots; s++) {
      long slot = s;
      long at = Math.max(0, start + s * Mvds.EPOCH_MILLIS - net.now());
      net.scheduler().schedule(at, () -> {
        for (String from : nodes) {
          for (String to : nodes) {
            if (!from.equals(to)) {
              net.directedConditions(from, to, carries(from, to, slot)
                  ? LinkConditions.PERFECT : LinkConditions.PERFECT.withDrop(1));
            }
          }
        }
      });
    }
  }

  @Override
  public long earliestSend(String from, String to, long t) {
    for (long s = Math.max(0, (t - start) / Mvds.EPOCH_MILLIS); s < Long.MAX_VALUE / 2; s++) {
      if (carries(from, to, s)) {
        return Math.max(t, start + s * Mvds.EPOCH_MILLIS);
      }
    }
    return Long.MAX_VALUE;
  }
}
