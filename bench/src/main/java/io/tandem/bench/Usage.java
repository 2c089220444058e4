package io.tandem.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Where this process's CPU went between two moments: the whole process, each group of threads
 * (named as the JVM names them, a number after a dash written "-N", so the three devices' event
 * loops are one group and "tandem-h2-commit" stays itself), and the time the JIT compiled and
 * the collector paused. A latency figure means little while the JIT still compiles the code
 * under test on the same two cores: part 2 saw the C2 compiler take a fifth of the CPU three
 * seconds into its latency run.
 *
 * <p>Threads that end between the two moments are not counted in their group; the process
 * figure counts everything.
 */
final class Usage {

  private final long wallNanos;
  private final long processCpuNanos;
  private final long compileMillis;
  private final long gcMillis;
  /** CPU nanoseconds per live thread, by thread id, with the thread's name. */
  private final Map<Long, Map.Entry<String, Long>> threads;

  private Usage(long wallNanos, long processCpuNanos, long compileMillis, long gcMillis,
      Map<Long, Map.Entry<String, Long>> threads) {
    this.wallNanos = wallNanos;
    this.processCpuNanos = processCpuNanos;
    this.compileMillis = compileMillis;
    this.gcMillis = gcMillis;
    this.threads = threads;
  }

  /** The counters now. */
  static Usage now() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<Long, Map.Entry<String, Long>> threads = new HashMap<>();
    if (mx.isThreadCpuTimeSupported() && mx.isThreadCpuTimeEnabled()) {
      for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
        if (info == null) {
          continue; // ended meanwhile
        }
        long cpu = mx.getThreadCpuTime(info.getThreadId());
        if (cpu >= 0) {
          threads.put(info.getThreadId(), Map.entry(info.getThreadName(), cpu));
        }
      }
    }
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    long compile = jit != null && jit.isCompilationTimeMonitoringSupported()
        ? jit.getTotalCompilationTime() : 0;
    long gc = 0;
    for (GarbageCollectorMXBean c : ManagementFactory.getGarbageCollectorMXBeans()) {
      gc += Math.max(0, c.getCollectionTime());
    }
    long cpu = ((com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    return new Usage(System.nanoTime(), cpu, compile, gc, threads);
  }

  /** The CPU time of the process (every thread, the JIT's and the collector's included). */
  long cpuNanosSince(Usage before) {
    return processCpuNanos - before.processCpuNanos;
  }

  /** The cores the process used from {@code before} until this moment. */
  double coresSince(Usage before) {
    return cpuNanosSince(before) / (double) (wallNanos - before.wallNanos);
  }

  /**
   * From {@code before} until this moment: the cores the process used, those of the busiest
   * {@code groups} thread groups, and the share of the time the JIT compiled and the collector
   * paused (JIT time is its threads' elapsed time, summed).
   */
  String describeSince(Usage before, int groups) {
    double wall = wallNanos - before.wallNanos;
    Map<String, Double> byGroup = new TreeMap<>();
    threads.forEach((id, now) -> {
      Map.Entry<String, Long> then = before.threads.get(id);
      long used = now.getValue() - (then == null ? 0 : then.getValue());
      byGroup.merge(now.getKey().replaceAll("-\\d+", "-N"), used / wall, Double::sum);
    });
    String busiest = byGroup.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .limit(groups)
        .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
        .collect(Collectors.joining(", "));
    return String.format(Locale.ROOT, "%.2f cores (%s); JIT compile time %.0f %% of the "
        + "window (elapsed, summed over compiler threads), GC %.1f %%", coresSince(before),
        busiest, 100 * (compileMillis - before.compileMillis) * 1e6 / wall,
        100 * (gcMillis - before.gcMillis) * 1e6 / wall);
  }
}
