package io.tandem.storage.h2;

import io.tandem.crdt.GCounter;
import io.tandem.crdt.Hlc;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.replication.Replica;
import io.tandem.replication.ReplicaConfig;
import io.tandem.replication.Write;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.spi.Snapshot;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Semaphore;

/**
 * The process {@link CrashTest} kills: opens the store and a {@link Replica} on it and writes
 * until killed, printing each write once it returned (acknowledged), one flushed line each:
 * <pre>
 * open &lt;replica&gt; &lt;own seq held&gt; &lt;millis to open&gt;
 * w &lt;seq&gt; &lt;token&gt;        a replica write: token added to the "log" set at dot seq
 * h &lt;feed&gt; &lt;seq&gt;          a helper thread's append to a feed of its own (group commit)
 * S &lt;seq&gt;                a snapshot covering the replica's feed up to seq was saved
 * I &lt;seq&gt;                as S, installed as if fetched: it also covers {@link #FETCHED} up to
 *                        seq, a feed this store never held a record of
 * s &lt;seq&gt; &lt;element&gt;    a "secret" write: element added to the "secret" set at dot seq
 * P &lt;seq&gt;                every "secret" record up to seq was purged
 * </pre>
 * Arguments: store directory, cycle number, helper threads, seed, and a mode: {@code mixed}
 * (the default: writes, a snapshot every 20 to 100 of them), {@code snapshots} (a snapshot
 * every 1 to 5 writes, so that kills land in snapshot writes and the compactions they start),
 * {@code purges} (a "secret" write every third, purged every 20 to 60 writes; no snapshots), or
 * {@code compaction} (as {@code purges}, while the engine compacts on a thread of its own, woken
 * every few writes: kills land in its folds and saves, and purges land inside its runs).
 */
public final class CrashWriter {

  /** Feeds the helper threads append to, beside the replica's own. */
  static ReplicaId helperFeed(int i) {
    return ReplicaId.of(0x4e1_0000L + i);
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int cycle = Integer.parseInt(args[1]);
    int helpers = Integer.parseInt(args[2]);
    Random random = new Random(Long.parseLong(args[3]));
    String mode = args.length > 4 ? args[4] : "mixed";
    PrintStream out = System.out;

    long start = System.nanoTime();
    H2ReplicaStore store = H2ReplicaStore.open(dir);
    // Compaction off but in mode compaction: the other modes fold into the snapshot (and purge)
    // by hand at random points, from this thread only, and the test reads the log those leave;
    // the engine folding on its own timer would race those hand-made snapshots.
    Replica replica = Replica.builder().store(store)
        .config(ReplicaConfig.DEFAULT.withCompaction(mode.equals("compaction")
            ? ReplicaConfig.DEFAULT_COMPACTION_BATCH : 0, ReplicaConfig.DEFAULT.forgetAfterMillis()))
        .build();
    ReplicaId self = replica.id();
    line(out, "open " + self + " " + replica.vector().get(self) + " "
        + (System.nanoTime() - start) / 1_000_000);

    for (int i = 0; i < helpers; i++) {
      ReplicaId feed = helperFeed(i);
      Thread t = new Thread(() -> {
        long seq = store.vector().get(feed) + 1;
        while (true) {
          byte[] delta = BinaryCodec.encode(GCounter.empty().increment(feed, 1));
          store.append(List.of(new DeltaRecord(feed, seq, VersionVector.empty(),
              new Hlc(seq, 0, feed), "helper-" + feed, delta)));
          line(out, "h " + feed + " " + seq);
          seq++;
        }
      }, "helper-" + i);
      t.setDaemon(true);
      t.start();
    }

    Semaphore compactions = mode.equals("compaction") ? compactor(replica, self, out) : null;
    long nextSnapshot = snapshotGap(mode, random);
    long nextPurge = 20 + random.nextInt(40);
    for (long n = 1; ; n++) {
      String token = "c" + cycle + "-" + n;
      Write w = replica.update("log", OrSet.<String>empty(), (set, ctx) ->
          set.add(ctx.replica(), token));
      line(out, "w " + w.dot().counter() + " " + token);
      if (mode.equals("purges") || mode.equals("compaction")) {
        if (n % 3 == 0) {
          String secret = "secret-" + token;
          Write sw = replica.update(SECRET, OrSet.<String>empty(), (set, ctx) ->
              set.add(ctx.replica(), secret));
          line(out, "s " + sw.dot().counter() + " " + secret);
        }
        if (compactions != null && random.nextInt(4) == 0) {
          compactions.release();
        }
        if (--nextPurge == 0) {
          long seq = replica.vector().get(self);
          store.purge(SECRET, payload -> PURGED);
          line(out, "P " + seq);
          nextPurge = 20 + random.nextInt(40);
        }
      } else if (--nextSnapshot == 0) {
        // Compaction as the replica will do it: the log set's state at this replica's seq. The
        // replica's lock is not held between writes here, and only this thread writes.
        long seq = replica.vector().get(self);
        OrSet<String> state = replica.get("log", OrSet.empty());
        Map<String, byte[]> objects = Map.of("log", BinaryCodec.encode(state));
        if (mode.equals("snapshots") && random.nextBoolean()) {
          store.installSnapshot(new Snapshot(VersionVector.of(self, seq).with(FETCHED, seq),
              objects, new Hlc(seq, 0, self)));
          line(out, "I " + seq);
        } else {
          // Still covering what an earlier install covered, or it would be older than it.
          long fetched = store.snapshot().vector().get(FETCHED);
          VersionVector v = VersionVector.of(self, seq);
          store.saveSnapshot(new Snapshot(fetched == 0 ? v : v.with(FETCHED, fetched), objects));
          line(out, "S " + seq);
        }
        nextSnapshot = snapshotGap(mode, random);
      }
    }
  }

  /**
   * A thread that runs the engine's compaction each time the semaphore is released, beside the
   * writes and purges of the main thread, and prints the snapshot's seq after each run.
   */
  private static Semaphore compactor(Replica replica, ReplicaId self, PrintStream out) {
    Semaphore wake = new Semaphore(0);
    Thread t = new Thread(() -> {
      while (true) {
        wake.acquireUninterruptibly();
        wake.drainPermits();
        line(out, "S " + replica.compact().get(self));
      }
    }, "compactor");
    t.setDaemon(true);
    t.start();
    return wake;
  }

  /** The feed the snapshots installed in mode {@code snapshots} cover, with no record held. */
  static final ReplicaId FETCHED = ReplicaId.of(0xfe7c_4edL);

  /** The object purged in mode {@code purges}, and what its payloads become. */
  static final String SECRET = "secret";
  static final byte[] PURGED = BinaryCodec.encode(OrSet.<String>empty());

  private static long snapshotGap(String mode, Random random) {
    return mode.equals("snapshots") ? 1 + random.nextInt(5) : 20 + random.nextInt(80);
  }

  private static void line(PrintStream out, String s) {
    synchronized (out) {
      out.println(s);
      out.flush();
    }
  }

  private CrashWriter() {}
}
