package io.tandem.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Memory of a whole state, measured in a JVM of its own so that nothing else lives there: the
 * Java heap retained after full collections (the state's strings included, since the state
 * holds them) and the growth of the process's resident set, read from {@code /proc/self/status},
 * which is the only place Automerge's native memory shows. The heap is fixed and touched up
 * front, so the heap itself does not grow the resident set.
 */
final class Footprint {

  /** What one state retained, per element. */
  record Memory(double heapPerElement, double rssPerElement) {}

  private static final String MARK = "footprint ";

  private Footprint() {}

  /** Runs a child JVM that builds one state of {@code kind} ("set" or "map") and reports. */
  static Memory measure(String peer, String kind, int n) {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd = new ArrayList<>(List.of(java, "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch",
        "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        Footprint.class.getName(), peer, kind, Integer.toString(n)));
    try {
      Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      List<String> out = new ArrayList<>();
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          out.add(line);
        }
      }
      if (!proc.waitFor(10, TimeUnit.MINUTES) || proc.exitValue() != 0) {
        throw new IllegalStateException("footprint of " + peer + " failed: " + out);
      }
      for (String line : out) {
        if (line.startsWith(MARK)) {
          String[] f = line.substring(MARK.length()).split(" ");
          return new Memory(Double.parseDouble(f[0]) / n, Double.parseDouble(f[1]) / n);
        }
      }
      throw new IllegalStateException("footprint of " + peer + " printed nothing: " + out);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + cmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The child: {@code peer kind n}; prints {@code footprint <heap bytes> <rss bytes>}. */
  public static void main(String[] args) throws Exception {
    String peer = args[0];
    String kind = args[1];
    int n = Integer.parseInt(args[2]);
    try (CorePeer p = CorePeer.named(peer)) {
      // Load every class and the native library, and compile the build, before the baseline.
      for (int i = 0; i < 3; i++) {
        p.release(build(p, kind, Math.min(n, 2_000)));
      }
      heapAfterGc();
      rss();
      long heap = heapAfterGc();
      long rss = rss();
      Object state = build(p, kind, n);
      long heapGrowth = heapAfterGc() - heap;
      long rssGrowth = rss() - rss;
      if (p.size(state) != n) {
        throw new IllegalStateException("built " + p.size(state) + " of " + n);
      }
      System.out.println(MARK + heapGrowth + " " + rssGrowth);
      Reference.reachabilityFence(state);
      p.release(state);
    }
  }

  /** The strings are made here and dropped: only what the state keeps of them stays. */
  private static Object build(CorePeer p, String kind, int n) {
    return kind.equals("set") ? p.setAdds(Workload.elements(n))
        : p.mapPuts(Workload.keys(n), Workload.values(n));
  }

  /** Read right after the collections, with nothing allocated in between. */
  private static long heapAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(20);
    }
    System.gc();
    return rt.totalMemory() - rt.freeMemory();
  }

  private static long rss() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
