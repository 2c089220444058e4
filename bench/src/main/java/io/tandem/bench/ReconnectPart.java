package io.tandem.bench;

import io.tandem.replication.SyncMode;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Part 3: the cost of a reconnect, Tandem on the simulator beside Automerge's sync protocol.
 * Both are deterministic, so each figure is measured once and has no range.
 */
final class ReconnectPart {

  private static final List<SyncMode> MODES = List.of(SyncMode.BATCH, SyncMode.INTERACTIVE);

  private final Settings s;
  private final PrintStream log;

  ReconnectPart(Settings s, PrintStream log) {
    this.s = s;
    this.log = log;
  }

  Table run() {
    Table t = new Table("Part 3: reconnect cost (handshake bytes both ways, deltas excluded)",
        "F", "U", "mode", "Tandem bytes", "by kind", "Tandem round trips (quiet / caught up)",
        "Automerge bytes", "Automerge round trips (quiet / caught up)", "Tandem vs Automerge",
        "range", "target", "verdict", "÷ F=" + String.format("%,d", s.feeds().get(0))
            + " (≤ 1.1x)");
    int smallest = s.feeds().get(0);
    int maxU = s.updated().stream().mapToInt(Integer::intValue).max().orElse(0);
    Map<String, Handshake> first = new HashMap<>();
    for (int f : s.feeds()) {
      long t0 = System.nanoTime();
      try (Reconnect tandem = new Reconnect(f, Math.min(f, maxU));
          AutomergeReconnect automerge = new AutomergeReconnect(f)) {
        log.printf("part 3: %,d feeds written (%.1f s)%n", f, (System.nanoTime() - t0) / 1e9);
        for (int u : s.updated()) {
          if (u > f) {
            continue;
          }
          Handshake am = automerge.run(u);
          for (SyncMode mode : MODES) {
            Handshake h = tandem.run(u, mode);
            log.printf("part 3: F=%d U=%d %s: %d B %s, %.1f RT; automerge %d B, %.1f RT%n", f, u,
                h.mode(), h.bytes(), h.byKind(), h.roundTrips(), am.bytes(), am.roundTrips());
            String key = u + "/" + h.mode();
            if (f == smallest) {
              first.put(key, h);
            }
            Handshake base = first.get(key);
            double scale = base == null ? Double.NaN : (double) h.bytes() / base.bytes();
            long budget = u == 0 ? 48 : 64 + 8L * u;
            boolean ok = h.bytes() <= budget && (u > 0 || h.roundTrips() <= 1)
                && (base == null || f == smallest || scale <= 1.1);
            double adv = (double) am.bytes() / h.bytes();
            t.add(new double[] {h.bytes(), h.roundTrips(), am.bytes(), am.roundTrips(), adv},
                String.format("%,d", f), Integer.toString(u), h.mode(), Table.bytes(h.bytes()),
                kinds(h.byKind()), rt(h), Table.bytes(am.bytes()), rt(am),
                Table.versus(adv, "smaller", "larger"), "exact",
                u == 0 ? "≤ 48 B, 1 RT" : "≤ " + budget + " B", Table.met(ok),
                f == smallest ? "—" : base == null ? "n/a (U > smallest F)"
                    : Table.num(scale) + "x");
          }
        }
      }
    }
    t.note("One-way delay " + Reconnect.ONE_WAY_MILLIS + " ms on a perfect link; round trips"
        + " are virtual time from link-up to the last frame's arrival (quiet) and to the device"
        + " holding every record the peer holds (caught up), over the round-trip time.");
    t.note("Tandem's bytes are every frame but Deltas (hello, summary, ack, offer, request),"
        + " both directions. Automerge's are its sync messages less the raw bytes of the"
        + " changes they carry; its round trips are legs in which either side sent, over two.");
    t.note("The verdict needs the byte budget, one round trip at U = 0, and, for the larger F,"
        + " bytes within 1.1x of the smallest F's.");
    return t;
  }

  private static String kinds(Map<String, Long> byKind) {
    StringBuilder b = new StringBuilder();
    byKind.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(' ')
        .append(v));
    return b.toString();
  }

  private static String rt(Handshake h) {
    return Table.num(h.roundTrips()) + " / " + (h.updated() == 0 ? "—" : Table.num(h.caughtUp()));
  }
}
