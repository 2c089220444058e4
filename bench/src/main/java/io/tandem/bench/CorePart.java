package io.tandem.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Part 1: Tandem's CRDT core against Pekko Distributed Data and Automerge. Each round runs every
 * benchmark for every peer, one JMH fork each, peers back to back in an order that rotates from
 * round to round; ratios are taken within a round, and their spread over rounds is the range.
 */
final class CorePart {

  /** One timed workload; {@code perUnit} turns milliseconds per invocation into the unit shown. */
  private record Bench(Class<?> type, String method, String label, String unit, boolean perOp) {}

  private static final List<Bench> BENCHES = List.of(
      new Bench(AddsBench.class, "setAdds", "set adds, each delta merged", "µs/op", true),
      new Bench(AddsBench.class, "mapPuts", "map puts (LWW registers), each delta merged",
          "µs/op", true),
      new Bench(MergeBench.class, "fullMerge", "full merge of two diverged sets", "ms", false),
      new Bench(MergeBench.class, "catchUp", "catch-up by the divergent deltas, both ways", "ms",
          false));

  private static final Map<String, String> TITLES =
      Map.of("tandem", "Tandem", "pekko", "Pekko", "automerge", "Automerge");

  private final Settings s;
  private final PrintStream log;
  /** bench method -> peer -> one array of values (in the bench's unit) per round. */
  private final Map<String, Map<String, List<double[]>>> times = new HashMap<>();
  /** "set"/"map" -> peer -> per repeat. */
  private final Map<String, Map<String, List<Footprint.Memory>>> memory = new HashMap<>();
  private final Map<String, long[]> sizes = new HashMap<>();

  CorePart(Settings s, PrintStream log) {
    this.s = s;
    this.log = log;
  }

  Table run() {
    for (int r = 0; r < (s.bytesOnly() ? 0 : s.rounds()); r++) {
      List<String> order = rotated(r);
      for (Bench b : BENCHES) {
        for (String peer : order) {
          if (r > 0 && glacial(b, peer)) {
            continue; // about a minute a shot and a reported row only: the first round's shot
          }
          long t0 = System.nanoTime();
          double[] v = jmh(b, peer);
          times.computeIfAbsent(b.method(), x -> new HashMap<>())
              .computeIfAbsent(peer, x -> new ArrayList<>()).add(v);
          log.printf("part 1, round %d: %s %s %s %s (%.0f s)%n", r + 1, b.method(), peer,
              Table.num(median(v)), b.unit(), (System.nanoTime() - t0) / 1e9);
        }
      }
      if (r == 0) {
        // Retained heap is a count of bytes, the same to 0.1 % from one JVM to the next: one
        // round of it, so that the whole suite keeps within its 15 minutes.
        measureMemory(order);
      }
    }
    for (String peer : CorePeer.NAMES) {
      try (CorePeer p = CorePeer.named(peer)) {
        sizes.put(peer, new long[] {p.setAddDeltaBytes(s.n()), p.mapUpdateDeltaBytes(s.n()),
            p.setStateBytes(s.n()), p.mapStateBytes(s.n())});
      }
      log.printf("part 1: bytes %s %s%n", peer, Arrays.toString(sizes.get(peer)));
    }
    return table();
  }

  private void measureMemory(List<String> order) {
    for (String kind : List.of("set", "map")) {
      for (String peer : order) {
        Footprint.Memory m = Footprint.measure(peer, kind, s.n());
        memory.computeIfAbsent(kind, x -> new HashMap<>())
            .computeIfAbsent(peer, x -> new ArrayList<>()).add(m);
        log.printf("part 1: %s memory %s: heap %.1f B, rss %.1f B per element%n", kind, peer,
            m.heapPerElement(), m.rssPerElement());
      }
    }
  }

  private static List<String> rotated(int r) {
    List<String> order = new ArrayList<>(CorePeer.NAMES);
    java.util.Collections.rotate(order, -r);
    return order;
  }

  /** Pekko's delta catch-up: one {@code mergeDelta} per delta on a 100k set, a minute a shot. */
  private static boolean glacial(Bench b, String peer) {
    return b.method().equals("catchUp") && peer.equals("pekko");
  }

  private double[] jmh(Bench b, String peer) {
    boolean slow = b.perOp() && peer.equals("automerge");
    boolean glacial = glacial(b, peer);
    int warmups = glacial ? 0 : !b.perOp() ? s.mergeWarmups() : slow ? s.slowWarmups()
        : s.warmups();
    int iterations = glacial ? s.longIterations() : !b.perOp() ? s.mergeIterations()
        : slow ? s.slowIterations() : s.iterations();
    ChainedOptionsBuilder o = new OptionsBuilder()
        .include("^" + Pattern.quote(b.type().getName() + "." + b.method()) + "$")
        .param("peer", peer)
        .param("n", Integer.toString(s.n()))
        .warmupIterations(warmups)
        .measurementIterations(iterations)
        .forks(s.fork() ? 1 : 0)
        // The heap is touched before the first invocation: an invocation allocates 60-90 MB,
        // and without it each one paid the kernel for first touching that much fresh heap (page
        // faults and zeroing, in proportion to the allocation), not the structure's own work.
        .jvmArgs("-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch")
        .shouldFailOnError(true)
        .verbosity(VerboseMode.SILENT);
    if (b.type() == MergeBench.class) {
      o.param("k", Integer.toString(s.k()));
    }
    Collection<RunResult> results;
    try {
      results = new Runner(o.build()).run();
    } catch (RunnerException e) {
      throw new IllegalStateException(b.method() + " failed for " + peer, e);
    }
    List<Double> out = new ArrayList<>();
    for (RunResult rr : results) {
      for (BenchmarkResult br : rr.getBenchmarkResults()) {
        for (IterationResult ir : br.getIterationResults()) {
          double ms = ir.getPrimaryResult().getScore();
          out.add(b.perOp() ? ms * 1_000 / s.n() : ms);
        }
      }
    }
    if (out.isEmpty()) {
      throw new IllegalStateException("JMH ran no " + b.method() + " for " + peer
          + " (is the annotation processor on?)");
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  // ---- the table ----

  private Table table() {
    Table t = new Table("Part 1: CRDT core, n = " + String.format("%,d", s.n()) + ", k = "
        + String.format("%,d", s.k()), "measure", "Tandem", "peer", "peer's", "Tandem vs peer",
        "range over rounds", "target", "verdict");
    String n = String.format("%,d", s.n());
    String k = String.format("%,d", s.k());
    if (!s.bytesOnly()) {
      timed(t, "setAdds", n + " set adds (µs/op)", "pekko", "setAdds", 3);
      timed(t, "setAdds", n + " set adds (µs/op)", "automerge", "setAdds", 20);
      timed(t, "mapPuts", n + " map puts (µs/op)", "pekko", "mapPuts", 3);
      timed(t, "mapPuts", n + " map puts (µs/op)", "automerge", "mapPuts", 20);
      String merge = "full merge, " + n + " ⋈ " + n + " diverged " + k + " + " + k + " (ms)";
      timed(t, "fullMerge", merge, "pekko", "fullMerge", 5);
      timed(t, "fullMerge", merge, "automerge", "fullMerge", 2);
      String catchUp = "delta catch-up, " + k + " + " + k + " deltas (ms)";
      timed(t, "catchUp", catchUp, "pekko", "fullMerge", 20);
      timed(t, "catchUp", catchUp, "pekko", "catchUp", 0);
      timed(t, "catchUp", catchUp, "automerge", "catchUp", 0);
    }
    sized(t, 0, "one delta: set add (B)", 3, true);
    sized(t, 1, "one delta: map field update (B)", 3, true);
    sized(t, 2, "full state: " + n + "-element set (B)", 0, false);
    sized(t, 3, "full state: " + n + "-key map (B)", 0, false);
    if (!s.bytesOnly()) {
      remembered(t, "set");
      remembered(t, "map");
    }
    t.note("Tandem vs peer is the peer's figure divided by Tandem's (lower is better for every"
        + " measure); under " + Table.TIE + "x either way it is reported as a tie.");
    if (!s.bytesOnly()) {
      t.note("Times are medians over all measured iterations; the range is the spread of the"
          + " per-round ratios (each round runs the peers back to back, in rotating order).");
      t.note("The catch-up row against Pekko's full merge compares Tandem applying all "
          + (2 * s.k()) + " deltas (both directions) with one Pekko merge (one direction).");
      t.note("JMH single-shot invocations, one fork per peer and benchmark, -Xms2g -Xmx2g"
          + " -XX:+AlwaysPreTouch:"
          + " adds and puts " + s.warmups() + " warmups + " + s.iterations() + " measured ("
          + "Automerge " + s.slowWarmups() + " + " + s.slowIterations() + "); merges and catch-ups "
          + s.mergeWarmups() + " + " + s.mergeIterations() + ", after 3 s of untimed runs and"
          + " two young collections; Pekko's catch-up, about a"
          + " minute per invocation, " + s.longIterations() + " measured invocation, in the first"
          + " round only.");
      t.note("Heap: Java heap retained after full GCs, strings included, in a JVM of its own,"
          + " measured in the first round only (a count of bytes, the same from run to run)."
          + " Automerge keeps its state in native memory: its figure is resident-set growth.");
    }
    return t;
  }

  private void timed(Table t, String method, String label, String peer, String peerMethod,
      double target) {
    List<double[]> mine = times.get(method).get("tandem");
    List<double[]> theirs = times.get(peerMethod).get(peer);
    double tandem = median(flat(mine));
    double other = median(flat(theirs));
    double[] perRound = new double[Math.min(mine.size(), theirs.size())];
    for (int r = 0; r < perRound.length; r++) {
      perRound[r] = median(theirs.get(r)) / median(mine.get(r));
    }
    double adv = other / tandem;
    String who = TITLES.get(peer) + (peerMethod.equals(method) ? "" : " " + describe(peerMethod));
    t.add(new double[] {tandem, other, adv}, label, Table.num(tandem), who, Table.num(other),
        Table.versus(adv, "faster", "slower"), Table.range(perRound),
        target > 0 ? "≥ " + Table.num(target) + "x" : "—",
        target > 0 ? Table.met(adv >= target) : "—");
  }

  private static String describe(String method) {
    return switch (method) {
      case "fullMerge" -> "full merge";
      case "catchUp" -> "delta catch-up";
      default -> method;
    };
  }

  private void sized(Table t, int i, String label, double target, boolean delta) {
    long tandem = sizes.get("tandem")[i];
    long best = Math.min(sizes.get("pekko")[i], sizes.get("automerge")[i]);
    for (String peer : List.of("pekko", "automerge")) {
      long other = sizes.get(peer)[i];
      double adv = (double) other / tandem;
      String goal;
      String verdict;
      if (delta && peer.equals("pekko")) {
        goal = "≤ 1/" + Table.num(target) + " of Pekko and ≤ 32 B";
        verdict = Table.met(adv >= target && tandem <= 32);
      } else if (delta) {
        goal = "≤ 32 B";
        verdict = Table.met(tandem <= 32);
      } else {
        goal = "≤ best peer (" + Table.bytes(best) + ")";
        verdict = Table.met(tandem <= best);
      }
      t.add(new double[] {tandem, other, adv}, label, Table.bytes(tandem), TITLES.get(peer),
          Table.bytes(other), Table.versus(adv, "smaller", "larger"), "exact", goal, verdict);
    }
  }

  private void remembered(Table t, String kind) {
    List<Footprint.Memory> mine = memory.get(kind).get("tandem");
    double tandem = median(mine.stream().mapToDouble(Footprint.Memory::heapPerElement).toArray());
    for (String peer : List.of("pekko", "automerge")) {
      List<Footprint.Memory> theirs = memory.get(kind).get(peer);
      boolean rss = peer.equals("automerge");
      double[] vals = theirs.stream()
          .mapToDouble(m -> rss ? m.rssPerElement() : m.heapPerElement()).toArray();
      double other = median(vals);
      double[] perRound = new double[mine.size()];
      for (int r = 0; r < perRound.length; r++) {
        perRound[r] = vals[r] / mine.get(r).heapPerElement();
      }
      double adv = other / tandem;
      t.add(new double[] {tandem, other, adv},
          "retained memory per " + (kind.equals("set") ? "set element" : "map entry") + " (B)",
          Table.num(tandem) + " heap", TITLES.get(peer),
          Table.num(other) + (rss ? " RSS" : " heap"), Table.versus(adv, "smaller", "larger"),
          Table.range(perRound), rss ? "—" : "≤ 0.5x Pekko",
          rss ? "—" : Table.met(adv >= 2));
    }
  }

  private static double[] flat(List<double[]> rounds) {
    return rounds.stream().flatMapToDouble(Arrays::stream).toArray();
  }

  static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    int m = c.length / 2;
    return c.length % 2 == 1 ? c[m] : (c[m - 1] + c[m]) / 2;
  }
}
