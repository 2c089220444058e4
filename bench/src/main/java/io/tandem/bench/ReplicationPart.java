package io.tandem.bench;

import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.ReplicaId;
import io.tandem.replication.Replica;
import io.tandem.replication.Write;
import io.tandem.storage.h2.Durability;
import io.tandem.storage.h2.H2ReplicaStore;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Part 2: replication over real sockets. Three devices in one JVM ({@link TlsMesh}: H2 stores,
 * TLS 1.3 with pinned keys, 127.0.0.1), every write a small map field update.
 *
 * <ul>
 *   <li>Saturation: each device writes through {@link Replica#updateAsync} as fast as it takes
 *       them, with a bounded number of writes in flight (not yet durable and visible locally),
 *       for a fixed time; the figure is the records stored and applied on the three devices,
 *       divided by three, per second, from the start of the window until the last write of the
 *       window is everywhere (a write that was on one device when the window began counts
 *       two thirds).</li>
 *   <li>Latency: writes offered at a fixed rate, open loop (a pacer calls
 *       {@link Replica#updateAsync} for each write at its scheduled time, whether or not earlier
 *       writes finished); each write's time from its call to the moment the last device holds
 *       it, and, stricter, from its scheduled time (which adds any lateness of the pacer).</li>
 * </ul>
 * The peer is the published figure of the hand-rolled peer-sync module in our documents.
 */
final class ReplicationPart {

  /**
   * @param jvmWarmup how long the saturation workload runs, unmeasured, on a mesh of its own
   *     before the part's first run
   * @param warmup how long writers run before the saturation window
   * @param saturation the saturation window
   * @param inFlightPerDevice the most writes a device has in flight at saturation
   * @param offeredPerSecond the latency run's offered rate, over all three devices
   * @param latencyWarmup how long the latency run offers writes before it measures
   * @param latency how long the latency run measures
   * @param durabilities the store levels to run, each a run of its own
   */
  record Setting(Duration jvmWarmup, Duration warmup, Duration saturation, int inFlightPerDevice,
      int offeredPerSecond, Duration latencyWarmup, Duration latency,
      List<Durability> durabilities) {}

  /** The hand-rolled peer-sync module from our documents: replicated ops/s, as published. */
  static final double PEER_OPS_PER_SECOND = 1_200;
  static final double TARGET_OPS_PER_SECOND = 50_000;
  static final double TARGET_P50_MS = 3;
  static final double TARGET_P99_MS = 15;
  static final int TARGET_OFFERED = 10_000;
  private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(3);
  private static final int KEYS = 1024;

  private static final System.Logger LOG = System.getLogger(ReplicationPart.class.getName());

  private final Setting s;
  private final PrintStream log;

  /**
   * Runs the levels named (PROCESS_CRASH_SAFE, POWER_LOSS_SAFE), comma-separated and in that
   * order, to iterate; a level named twice runs twice in one JVM, the first run warming the JIT.
   */
  static final String DURABILITY_PROPERTY = "tandem.part2.durability";
  /** The latency run's offered writes/s instead of the setting's; 0 skips the latency run. */
  static final String OFFERED_PROPERTY = "tandem.part2.offered";
  /** Runs the latency run alone, to iterate on it. */
  static final String LATENCY_ONLY_PROPERTY = "tandem.part2.latencyOnly";
  /** The most writes each device has in flight at saturation, instead of the setting's. */
  static final String IN_FLIGHT_PROPERTY = "tandem.part2.inFlight";

  ReplicationPart(Settings settings, PrintStream log) {
    Setting given = settings.sockets();
    String only = System.getProperty(DURABILITY_PROPERTY);
    List<Durability> levels = only == null ? given.durabilities()
        : Arrays.stream(only.split(",")).map(String::trim).map(Durability::valueOf)
            .toList();
    int offered = Integer.getInteger(OFFERED_PROPERTY, given.offeredPerSecond());
    int inFlight = Integer.getInteger(IN_FLIGHT_PROPERTY, given.inFlightPerDevice());
    this.s = new Setting(given.jvmWarmup(), given.warmup(), given.saturation(), inFlight, offered,
        given.latencyWarmup(), given.latency(), levels);
    this.log = log;
  }

  Table run() {
    Table t = new Table("Part 2: replication over real sockets (three devices, H2, TLS 1.3, "
        + "127.0.0.1)", "measure", "durability", "Tandem", "peer", "peer's", "Tandem vs peer",
        "target", "verdict");
    warmJvm(s.durabilities().get(0));
    for (Durability d : s.durabilities()) {
      if (!Boolean.getBoolean(LATENCY_ONLY_PROPERTY)) {
        alone(d, t);
        saturation(d, t);
      }
      if (s.offeredPerSecond() > 0) {
        latency(d, t);
      }
    }
    if (!s.jvmWarmup().isZero()) {
      t.note("Before the first run, the saturation workload runs " + secs(s.jvmWarmup())
          + " s unmeasured on a mesh of its own, which is then closed: the JIT compiles the "
          + "replication path before anything is measured.");
    }
    t.note("Saturation: each device writes through Replica.updateAsync with at most "
        + String.format(Locale.ROOT, "%,d", s.inFlightPerDevice()) + " writes in flight (not yet "
        + "durable and visible on it), " + secs(s.warmup()) + " s warm-up, "
        + secs(s.saturation()) + " s window; replicated ops/s = the records the three devices "
        + "stored from the window's start until the last write of the window is on all three (the "
        + "drain included), divided by three (a write is replicated once on all three), per "
        + "second.");
    t.note("Latency: " + String.format(Locale.ROOT, "%,d", s.offeredPerSecond())
        + " writes/s offered open loop over the three devices, " + secs(s.latencyWarmup())
        + " s warm-up, " + secs(s.latency()) + " s measured; a write counts when the last device's "
        + "change listener has seen it. Nearest-rank percentiles over every measured write. "
        + "The pacer calls Replica.updateAsync at each write's scheduled time; while 100 ms "
        + "worth of writes is in flight (not yet durable and visible on its device) it skips "
        + "writes: the achieved rate is what was offered.");
    t.note("Every write is an OrMap field update (an LwwRegister under one of " + KEYS
        + " keys); a device holds a write once it is stored and applied. A store writes each "
        + "group of appends to its journal (PROCESS_CRASH_SAFE: survives kill -9; "
        + "POWER_LOSS_SAFE: also synced per group) and commits the journal's records to its H2 "
        + "file every 2,048 records; groups start at least 1 ms apart under load.");
    if (System.getProperty(TlsMesh.RESEND_PROPERTY) != null) {
      t.note("Diagnostic run: sessions resend unacknowledged deltas after at least "
          + System.getProperty(TlsMesh.RESEND_PROPERTY) + " ms (-D" + TlsMesh.RESEND_PROPERTY
          + "), not the protocol's default.");
    }
    t.note("Stores under " + TlsMesh.base() + " (" + TlsMesh.baseFileSystem() + "), a new "
        + "directory per run; -D" + TlsMesh.BASE_PROPERTY + "=DIR puts them elsewhere.");
    t.note("Peer: the hand-rolled peer-sync module from our documents, 1.2k replicated ops/s as "
        + "published (not run here).");
    return t;
  }

  // --- the ceiling: one device, no sockets ---

  /**
   * The same writing on one device with no peers: what {@link Replica#updateAsync} on an H2
   * store allows on this machine at this moment, a ceiling for the three-device figures (which
   * also store every other device's writes).
   */
  private void alone(Durability d, Table t) {
    java.nio.file.Path dir;
    try {
      dir = java.nio.file.Files.createTempDirectory(TlsMesh.base(), "tandem-bench-part2-");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    try (Replica r = Replica.builder().store(H2ReplicaStore.open(dir.resolve("store"), d))
        .build()) {
      AtomicBoolean stop = new AtomicBoolean();
      LongAdder written = new LongAdder();
      Semaphore inFlight = new Semaphore(s.inFlightPerDevice());
      Thread writer = writer(r, "alone", stop, written, inFlight);
      writer.start();
      sleep(s.warmup().dividedBy(5));
      long before = written.sum();
      long t0 = System.nanoTime();
      sleep(s.saturation().dividedBy(5));
      double rate = (written.sum() - before) / secs(System.nanoTime() - t0);
      stop.set(true);
      join(writer);
      settled(inFlight, s.inFlightPerDevice());
      log.printf("part 2: %s: one device alone: %,.0f writes/s%n", d, rate);
      t.add(new double[] {rate}, "ceiling: one device alone, no sockets (writes/s)", level(d),
          String.format(Locale.ROOT, "%,.0f", rate), "—", "—", "—", "—", "—");
    } finally {
      TlsMesh.delete(dir);
    }
  }

  // --- the JVM's warm-up ---

  /**
   * Runs the saturation workload for {@link Setting#jvmWarmup} and closes its mesh without a
   * drain. A second saturation run in one JVM, after the first (2026-11-25, crash safe): 80,394
   * against 50,762 replicated ops/s, 23.3 against 37.5 µs of CPU per op, the same backlog
   * drained in both; perf had shown the C2 compiler taking 15 % of the samples 20 s into a
   * first run. Each run's own warm-up follows too.
   */
  private void warmJvm(Durability d) {
    if (s.jvmWarmup().isZero()) {
      return;
    }
    log.printf("part 2: warming the JVM up, %s, %.0f s%n", d, secs(s.jvmWarmup()));
    try (TlsMesh mesh = TlsMesh.open(d, log)) {
      Writers w = new Writers(mesh);
      sleep(s.jvmWarmup());
      w.stop();
    }
  }

  /** One writer thread per device of a mesh, each with its bound of writes in flight. */
  private final class Writers {
    private final AtomicBoolean stopping = new AtomicBoolean();
    final LongAdder written = new LongAdder();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Semaphore> inFlight = new ArrayList<>();

    Writers(TlsMesh mesh) {
      for (int device = 0; device < TlsMesh.DEVICES.size(); device++) {
        Replica r = mesh.replicas.get(device);
        inFlight.add(new Semaphore(s.inFlightPerDevice()));
        threads.add(writer(r, TlsMesh.DEVICES.get(device), stopping, written,
            inFlight.get(device)));
      }
      threads.forEach(Thread::start);
    }

    /** Stops the writers and waits until every write they took is durable or failed locally. */
    void stop() {
      stopping.set(true);
      for (Thread th : threads) {
        join(th);
      }
      for (Semaphore f : inFlight) {
        settled(f, s.inFlightPerDevice());
      }
    }
  }

  // --- saturation ---

  private void saturation(Durability d, Table t) {
    log.printf("part 2: saturation, %s%n", d);
    try (TlsMesh mesh = TlsMesh.open(d, log)) {
      Writers w = new Writers(mesh);
      LongAdder written = w.written;
      sleep(s.warmup());
      long t0 = System.nanoTime();
      Usage atStart = Usage.now();
      long heldBefore = mesh.held();
      long writtenBefore = written.sum();
      sleep(s.saturation());
      String used = Usage.now().describeSince(atStart, 6); // the writers still live
      w.stop();
      long stopped = System.nanoTime();
      long writeRate = Math.round((written.sum() - writtenBefore) / secs(stopped - t0));
      long total = 0;
      for (Replica r : mesh.replicas) {
        total += r.vector().get(r.id());
      }
      long all = total;
      try {
        TlsMesh.await("every write on every device", () -> mesh.everywhere() >= all,
            DRAIN_TIMEOUT);
      } catch (IllegalStateException e) {
        throw new IllegalStateException(e.getMessage() + "; the devices then: "
            + mesh.describe(), e);
      }
      long t1 = System.nanoTime();
      long cpu = Usage.now().cpuNanosSince(atStart);
      // The work of the window: the records the devices stored in it, a device's share of a
      // write each. Writes that were on one or two devices at its start count for the rest.
      double replicated = (mesh.held() - heldBefore) / (double) mesh.replicas.size();
      double opsPerSecond = replicated / secs(t1 - t0);
      log.printf("part 2: %s: %,.0f replicated ops/s; writes returned at %,d/s; drain %.2f s; "
          + "per write (all devices): %s, %.1f µs of CPU per replicated op; while writing (the "
          + "window, no drain) the process used %s%n",
          d, opsPerSecond, writeRate, secs(t1 - stopped), traffic(mesh, all),
          cpu / 1e3 / replicated, used);
      double ratio = opsPerSecond / PEER_OPS_PER_SECOND;
      t.add(new double[] {opsPerSecond, PEER_OPS_PER_SECOND, ratio},
          "replicated ops/s at saturation", level(d),
          String.format(Locale.ROOT, "%,.0f", opsPerSecond),
          "hand-rolled peer-sync (published)", "1,200", Table.versus(ratio, "more", "fewer"),
          "≥ 50,000", Table.met(opsPerSecond >= TARGET_OPS_PER_SECOND));
    }
  }

  /** Frames, bytes and duplicates per write over the mesh's life, for the log. */
  private static String traffic(TlsMesh mesh, long writes) {
    double frames = 0;
    double bytes = 0;
    double duplicates = 0;
    for (int i = 0; i < mesh.transports.size(); i++) {
      frames += mesh.replicas.get(i).metrics().framesOut();
      duplicates += mesh.replicas.get(i).metrics().duplicates();
      bytes += mesh.transports.get(i).metrics().peers().values().stream()
          .mapToLong(p -> p.bytesOut()).sum();
    }
    return String.format(Locale.ROOT, "%.2f frames, %.0f bytes sent, %.2f duplicates received",
        frames / writes, bytes / writes, duplicates / writes);
  }

  // --- latency ---

  private void latency(Durability d, Table t) {
    log.printf("part 2: latency at %,d writes/s offered, %s%n", s.offeredPerSecond(), d);
    try (TlsMesh mesh = TlsMesh.open(d, log)) {
      int n = TlsMesh.DEVICES.size();
      List<ReplicaId> ids = new ArrayList<>();
      long[] first = new long[n];
      for (int i = 0; i < n; i++) {
        ids.add(mesh.id(i));
        first[i] = mesh.replicas.get(i).vector().get(mesh.id(i)) + 1;
      }
      double seconds = secs(s.latencyWarmup()) + secs(s.latency());
      long total = Math.round(s.offeredPerSecond() * seconds);
      Arrivals arrivals = new Arrivals(ids, first, n, (int) (total / n + 2));
      for (Replica r : mesh.replicas) {
        r.addListener(arrivals.listener());
      }
      double interval = 1e9 / s.offeredPerSecond();
      long start = System.nanoTime() + 10_000_000;
      long measureFrom = start + s.latencyWarmup().toNanos();
      AtomicLong next = new AtomicLong();
      AtomicLong firstCall = new AtomicLong(Long.MAX_VALUE);
      AtomicLong lastCall = new AtomicLong(Long.MIN_VALUE);
      LongAdder measuredCalls = new LongAdder();
      // Open loop, but not without bound: past 100 ms worth of writes in flight (not yet durable
      // and visible on their device), the pacer skips writes (and the achieved rate shows it).
      AtomicLong backlog = new AtomicLong();
      long maxBacklog = Math.max(1, s.offeredPerSecond() / 10);
      LongAdder skipped = new LongAdder();
      LongAdder failures = new LongAdder();
      ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
      pacer.scheduleAtFixedRate(() -> {
        long now = System.nanoTime();
        for (long k = next.get(); k < total; k = next.incrementAndGet()) {
          long due = start + Math.round(k * interval);
          if (due - now > 0) {
            return;
          }
          if (backlog.get() >= maxBacklog) {
            skipped.increment(); // 100 ms worth of writes in flight: this one is not offered
            continue;
          }
          int device = (int) (k % n);
          Replica r = mesh.replicas.get(device);
          String who = TlsMesh.DEVICES.get(device);
          backlog.incrementAndGet();
          long called = System.nanoTime();
          if (due - measureFrom >= 0) {
            measuredCalls.increment();
            firstCall.accumulateAndGet(called, Math::min);
            lastCall.accumulateAndGet(called, Math::max);
          }
          write(r, who, k).whenComplete((w, failed) -> {
            backlog.decrementAndGet();
            if (failed != null) {
              failures.increment();
            } else {
              arrivals.issued(r.id(), w.dot().counter(), due, called);
            }
          });
        }
      }, 0, 100, TimeUnit.MICROSECONDS);
      TlsMesh.await("the warm-up over", () -> System.nanoTime() - measureFrom >= 0,
          s.latencyWarmup().plus(DRAIN_TIMEOUT));
      Usage atMeasureFrom = Usage.now();
      TlsMesh.await("every write offered", () -> next.get() >= total,
          Duration.ofNanos(Math.round(seconds * 1e9)).plus(DRAIN_TIMEOUT));
      String used = Usage.now().describeSince(atMeasureFrom, 5); // the pacer still lives
      pacer.shutdown();
      awaitTermination(pacer);
      TlsMesh.await("every write durable and visible on its device", () -> backlog.get() == 0,
          DRAIN_TIMEOUT);
      if (failures.sum() > 0) {
        throw new IllegalStateException(failures.sum() + " writes failed");
      }
      long pending = 0;
      try {
        TlsMesh.await("every write on every device", () -> arrivals.pending() == 0,
            DRAIN_TIMEOUT);
      } catch (IllegalStateException timedOut) {
        pending = arrivals.pending();
        log.printf("part 2: %s: %,d writes not on every device after %s; their times count "
            + "until now, so the percentiles are lower bounds%n", d, pending, DRAIN_TIMEOUT);
      }
      String atLeast = pending > 0 ? "≥ " : "";
      long now = System.nanoTime();
      long[] fromCall = arrivals.latencies(measureFrom, false, now);
      long[] fromSchedule = arrivals.latencies(measureFrom, true, now);
      double achieved = (measuredCalls.sum() - 1) / secs(lastCall.get() - firstCall.get());
      double p50 = ms(Arrivals.quantile(fromCall, 0.50));
      double p99 = ms(Arrivals.quantile(fromCall, 0.99));
      double s50 = ms(Arrivals.quantile(fromSchedule, 0.50));
      double s99 = ms(Arrivals.quantile(fromSchedule, 0.99));
      log.printf("part 2: %s: p50 %.2f ms, p99 %.2f ms from the call (%.2f / %.2f from the "
          + "schedule) over %,d writes; offered %,.0f/s achieved; %,d writes skipped (backlog); "
          + "per write (all devices): %s; while measured the process used %s%n",
          d, p50, p99, s50, s99, fromSchedule.length, achieved, skipped.sum(),
          traffic(mesh, total - skipped.sum()), used); // the writes made, not those skipped
      String offered = String.format(Locale.ROOT, "at %,d/s offered", s.offeredPerSecond());
      t.add(new double[] {p50}, "write → visible on all three, p50 (ms), " + offered,
          level(d), atLeast + Table.num(p50), "—", "—", "—", "≤ 3 ms",
          verdict(p50 <= TARGET_P50_MS));
      t.add(new double[] {p99}, "write → visible on all three, p99 (ms), " + offered,
          level(d), atLeast + Table.num(p99), "—", "—", "—", "≤ 15 ms",
          verdict(p99 <= TARGET_P99_MS));
      t.add(new double[] {s50, s99}, "same, from the scheduled time: p50 / p99 (ms)", level(d),
          atLeast + Table.num(s50) + " / " + Table.num(s99), "—", "—", "—", "—", "—");
      t.add(new double[] {achieved}, "offered rate achieved (writes/s)", level(d),
          String.format(Locale.ROOT, "%,.0f", achieved), "—", "—", "—",
          String.format(Locale.ROOT, "%,d", s.offeredPerSecond()),
          Table.met(achieved >= 0.97 * s.offeredPerSecond()));
    }
  }

  // --- helpers ---

  /** The latency targets hold at 10,000 writes/s offered; at another rate there is no verdict. */
  private String verdict(boolean met) {
    return s.offeredPerSecond() == TARGET_OFFERED ? Table.met(met)
        : "— (target is at 10,000/s)";
  }

  /**
   * A thread that writes to {@code r} as fast as it takes them until {@code stop}, each write
   * holding a permit of {@code inFlight} until it is durable and visible there, counting the
   * writes that were.
   */
  private static Thread writer(Replica r, String who, AtomicBoolean stop, LongAdder written,
      Semaphore inFlight) {
    Thread th = new Thread(() -> {
      for (long k = 0; !stop.get(); k++) {
        inFlight.acquireUninterruptibly();
        write(r, who, k).whenComplete((w, failed) -> {
          inFlight.release();
          if (failed != null) {
            LOG.log(System.Logger.Level.ERROR, "write failed", failed);
          } else {
            written.increment();
          }
        });
      }
    }, "part2-writer-" + who);
    th.setDaemon(true);
    return th;
  }

  /** Waits until the writes holding permits of {@code inFlight} are settled. */
  private static void settled(Semaphore inFlight, int permits) {
    try {
      if (!inFlight.tryAcquire(permits, DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("writes in flight not settled within " + DRAIN_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    inFlight.release(permits);
  }

  /** One small delta: a field of one of {@link #KEYS} notes set to a new value. */
  private static CompletableFuture<Write> write(Replica r, String who, long k) {
    String key = "note-" + (k % KEYS);
    String value = who + "-" + k;
    return r.updateAsync("notes", OrMap.<String, LwwRegister<String>>empty(),
        (m, w) -> m.update(w.replica(), key, LwwRegister.<String>empty(),
            reg -> reg.assign(w.hlc(), value)));
  }

  private static String level(Durability d) {
    return d == Durability.PROCESS_CRASH_SAFE ? "process-crash-safe" : "power-loss-safe";
  }

  private static double secs(Duration d) {
    return d.toNanos() / 1e9;
  }

  private static double secs(long nanos) {
    return nanos / 1e9;
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void join(Thread t) {
    try {
      t.join(DRAIN_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void awaitTermination(ExecutorService p) {
    try {
      if (!p.awaitTermination(DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("writers did not finish within " + DRAIN_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
