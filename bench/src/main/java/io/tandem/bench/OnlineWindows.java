package io.tandem.bench;

import io.tandem.replication.sim.SimulatedNetwork;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * World model (b): each device is online in sessions and offline in between, and a frame only
 * reaches a node that is online, from a node that is online. Session lengths are drawn uniformly
 * from half to one and a half times their mean, and so are the gaps, whose mean makes the device
 * online {@code fraction} of the time; each device starts at a random point of its cycle. Nodes
 * named {@code alwaysOnline} (a relay) never go offline.
 */
final class OnlineWindows implements World {

  private final long start;
  /** Per device, its online sessions as [from, to) pairs, in order. */
  private final Map<String, long[]> sessions = new LinkedHashMap<>();
  private final Set<String> alwaysOnline;

  /**
   * @param devices the nodes that follow a schedule, each with a random stream of its own
   *     split off in this order, so a device's windows do not depend on the other nodes
   */
  OnlineWindows(long seed, long start, long horizonMillis, List<String> devices,
      Set<String> alwaysOnline, double fraction, long sessionMillis) {
    this.start = start;
    this.alwaysOnline = Set.copyOf(alwaysOnline);
    SplittableRandom root = new SplittableRandom(seed);
    double gapMillis = sessionMillis * (1 - fraction) / fraction;
    for (String d : devices) {
      SplittableRandom r = root.split();
      List<Long> w = new ArrayList<>();
      // Start somewhere in a cycle: online now with probability fraction.
      boolean online = r.nextDouble() < fraction;
      long t = start;
      double firstMean = online ? sessionMillis : gapMillis;
      long len = Math.max(1, Math.round(firstMean * 1.5 * r.nextDouble()));
      while (t < start + horizonMillis) {
        if (online) {
          w.add(t);
          w.add(t + len);
        }
        t += len;
        online = !online;
        len = Math.max(1, Math.round((online ? sessionMillis : gapMillis)
            * (0.5 + r.nextDouble())));
      }
      sessions.put(d, w.stream().mapToLong(Long::longValue).toArray());
    }
  }

  @Override
  public String name() {
    return "(b) online windows";
  }

  /** The share of [start, start + span) that {@code device} is online. */
  double onlineShare(String device, long span) {
    long[] s = sessions.get(device);
    long on = 0;
    for (int i = 0; i < s.length; i += 2) {
      on += Math.max(0, Math.min(s[i + 1], start + span) - s[i]);
    }
    return (double) on / span;
  }

  @Override
  public void apply(SimulatedNetwork net, long horizonMillis) {
    for (Map.Entry<String, long[]> e : sessions.entrySet()) {
      String d = e.getKey();
      long[] s = e.getValue();
      net.setOnline(d, s.length > 0 && s[0] <= net.now() && s[1] > net.now());
      for (int i = 0; i < s.length; i += 2) {
        if (s[i] > net.now()) {
          net.scheduler().schedule(s[i] - net.now(), () -> net.setOnline(d, true));
        }
        if (s[i + 1] > net.now()) {
          net.scheduler().schedule(s[i + 1] - net.now(), () -> net.setOnline(d, false));
        }
      }
    }
  }

  @Override
  public long earliestSend(String from, String to, long t) {
    long[] a = sessions.get(from);
    long[] b = sessions.get(to);
    if (a == null && b == null) {
      return alwaysOnline.contains(from) && alwaysOnline.contains(to) ? t : Long.MAX_VALUE;
    }
    if (a == null || b == null) {
      String other = a == null ? from : to;
      if (!alwaysOnline.contains(other)) {
        return Long.MAX_VALUE;
      }
      return firstOnline(a == null ? b : a, t);
    }
    int i = 0;
    int j = 0;
    while (i < a.length && j < b.length) {
      long lo = Math.max(Math.max(a[i], b[j]), t);
      long hi = Math.min(a[i + 1], b[j + 1]);
      if (lo < hi) {
        return lo;
      }
      if (a[i + 1] < b[j + 1]) {
        i += 2;
      } else {
        j += 2;
      }
    }
    return Long.MAX_VALUE;
  }

  private static long firstOnline(long[] s, long t) {
    for (int i = 0; i < s.length; i += 2) {
      if (s[i + 1] > t) {
        return Math.max(s[i], t);
      }
    }
    return Long.MAX_VALUE;
  }
}
