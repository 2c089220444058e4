package io.tandem.bench;

import io.tandem.crdt.Hlc;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.storage.h2.Durability;
import io.tandem.storage.h2.H2ReplicaStore;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Part 5: deltas appended durably per second, {@link H2ReplicaStore} (group commit, one row per
 * feed run) beside a naive H2 log (one row and one commit per delta) on the same URL settings,
 * with 1 and with 8 writers, in both durability levels. A writer appends one delta per call to
 * a feed of its own, as a replica's write path does, and counts it once the call returned.
 */
final class DurableAppendPart {

  static final List<Integer> WRITERS = List.of(1, 8);
  private static final int PAYLOADS = 1024;

  private final Settings s;
  private final PrintStream log;

  DurableAppendPart(Settings s, PrintStream log) {
    this.s = s;
    this.log = log;
  }

  Table run() {
    Table t = new Table("Part 5: durable appends (deltas/s, one delta per call)", "durability",
        "writers", "Tandem H2ReplicaStore", "naive H2 (commit per delta)", "Tandem vs naive",
        "range");
    byte[][] payloads = payloads(ReplicaId.of(1));
    double mean = Stream.of(payloads).mapToInt(p -> p.length).average().orElse(0);
    for (Durability d : Durability.values()) {
      for (int writers : WRITERS) {
        double[] tandem = new double[s.rounds()];
        double[] naive = new double[s.rounds()];
        double[] adv = new double[s.rounds()];
        for (int round = 0; round < s.rounds(); round++) {
          tandem[round] = inTempDir(dir -> tandem(dir, d, writers));
          naive[round] = inTempDir(dir -> naive(dir, d, writers));
          adv[round] = tandem[round] / naive[round];
          log.printf("part 5: %s, %d writers: Tandem %.0f/s, naive %.0f/s%n", d, writers,
              tandem[round], naive[round]);
        }
        double tm = median(tandem);
        double nm = median(naive);
        t.add(new double[] {tm, nm, tm / nm}, d == Durability.POWER_LOSS_SAFE
                ? "power-loss safe (fsync per group)"
                : "process-crash safe (no fsync)", Integer.toString(writers),
            String.format("%,.0f", tm), String.format("%,.0f", nm),
            Table.versus(tm / nm, "faster", "slower"), Table.range(adv));
      }
    }
    t.note(String.format("Each figure is the median of %d round(s) of %.1f s per cell, after"
        + " %.1f s of warm-up, on a fresh store in the temp directory; ranges are over rounds.",
        s.rounds(), s.appendSeconds(), s.appendSeconds() / 2));
    t.note(String.format("Payloads: encoded OrMap deltas (an LWW title set in a note), %.0f B on"
        + " average; records carry an HLC and an empty dependency vector.", mean));
    t.note("Both sides use H2 2.5.252 with WRITE_DELAY=0. Tandem writes each group to its"
        + " journal and commits to H2 every 2,048 records; power-loss safe syncs the journal (and"
        + " the witness file) per group and adds CHECKPOINT SYNC (an fsync) per checkpoint. The"
        + " naive log commits each delta to H2, with CHECKPOINT SYNC after each when power-loss"
        + " safe.");
    return t;
  }

  // ---- Tandem ----

  private double tandem(Path dir, Durability d, int writers) {
    try (H2ReplicaStore store = H2ReplicaStore.open(dir, d)) {
      return measure(writers, w -> {
        ReplicaId origin = ReplicaId.of(0x100 + w);
        byte[][] payloads = payloads(origin);
        long[] seq = {0};
        return () -> {
          long n = ++seq[0];
          store.append(List.of(new DeltaRecord(origin, n, VersionVector.empty(),
              new Hlc(1_700_000_000_000L + n, 0, origin), "notes",
              payloads[(int) (n % PAYLOADS)])));
        };
      });
    }
  }

  // ---- naive ----

  private double naive(Path dir, Durability d, int writers) {
    String url = "jdbc:h2:file:" + dir.resolve("naive") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
    try (Connection admin = DriverManager.getConnection(url, "sa", "")) {
      try (Statement st = admin.createStatement()) {
        st.execute("CREATE TABLE log (origin BIGINT, seq BIGINT, hlc BIGINT, object VARCHAR,"
            + " payload VARBINARY, PRIMARY KEY (origin, seq))");
      }
      List<Connection> conns = new ArrayList<>();
      try {
        for (int w = 0; w < writers; w++) {
          Connection c = DriverManager.getConnection(url, "sa", "");
          c.setAutoCommit(false);
          conns.add(c);
        }
        return measure(writers, w -> {
          Connection c = conns.get(w);
          ReplicaId origin = ReplicaId.of(0x100 + w);
          byte[][] payloads = payloads(origin);
          PreparedStatement ins = c.prepareStatement("INSERT INTO log VALUES (?, ?, ?, ?, ?)");
          Statement sync = c.createStatement();
          long[] seq = {0};
          return () -> {
            long n = ++seq[0];
            ins.setLong(1, origin.value());
            ins.setLong(2, n);
            ins.setLong(3, 1_700_000_000_000L + n);
            ins.setString(4, "notes");
            ins.setBytes(5, payloads[(int) (n % PAYLOADS)]);
            ins.executeUpdate();
            c.commit();
            if (d == Durability.POWER_LOSS_SAFE) {
              sync.execute("CHECKPOINT SYNC");
            }
          };
        });
      } finally {
        for (Connection c : conns) {
          c.close();
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("naive log: " + e, e);
    }
  }

  // ---- measuring ----

  /** One writer's append of one delta. */
  @FunctionalInterface
  private interface Append {
    void run() throws Exception;
  }

  @FunctionalInterface
  private interface Writer {
    Append make(int w) throws Exception;
  }

  /**
   * Runs {@code writers} threads appending, warm-up then measurement; returns deltas/s: the
   * appends begun in the window over the time from its start until the last of them returned.
   * A writer goes on past the window until it has made one, so a slow machine still yields a
   * figure, not zero.
   */
  private double measure(int writers, Writer make) {
    AtomicLong counted = new AtomicLong();
    AtomicLong lastDone = new AtomicLong();
    long warmNanos = (long) (s.appendSeconds() / 2 * 1e9);
    long runNanos = (long) (s.appendSeconds() * 1e9);
    long from = System.nanoTime() + 50_000_000L + warmNanos;
    long until = from + runNanos;
    List<Thread> threads = new ArrayList<>();
    AtomicLong failures = new AtomicLong();
    for (int w = 0; w < writers; w++) {
      int id = w;
      Thread th = new Thread(() -> {
        try {
          Append a = make.make(id);
          long n = 0;
          for (long now = System.nanoTime(); now < until || n == 0; now = System.nanoTime()) {
            a.run();
            if (now >= from) {
              n++;
              lastDone.accumulateAndGet(System.nanoTime(), Math::max);
            }
          }
          counted.addAndGet(n);
        } catch (Exception e) {
          failures.incrementAndGet();
          e.printStackTrace(log);
        }
      }, "append-" + w);
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      try {
        th.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " writer(s) failed");
    }
    return counted.get() / ((lastDone.get() - from) / 1e9);
  }

  /** Realistic deltas: a note's title assigned, as an OrMap of LWW registers encodes it. */
  static byte[][] payloads(ReplicaId writer) {
    byte[][] out = new byte[PAYLOADS][];
    OrMap<String, LwwRegister<String>> note = OrMap.empty();
    for (int i = 0; i < PAYLOADS; i++) {
      Hlc now = new Hlc(1_700_000_000_000L + i, 0, writer);
      String title = "Groceries " + i;
      OrMap<String, LwwRegister<String>> delta = note.update(writer, "title",
          LwwRegister.<String>empty(), r -> r.assign(now, title));
      note = note.merge(delta);
      out[i] = BinaryCodec.encode(delta);
    }
    return out;
  }

  private static double inTempDir(java.util.function.ToDoubleFunction<Path> body) {
    Path dir;
    try {
      dir = Files.createTempDirectory("tandem-bench-append");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      return body.applyAsDouble(dir);
    } finally {
      try (Stream<Path> all = Files.walk(dir)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a temp directory left behind
      }
    }
  }

  private static double median(double[] v) {
    double[] c = v.clone();
    java.util.Arrays.sort(c);
    return c[c.length / 2];
  }
}
