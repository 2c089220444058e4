package io.tandem.storage.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.replication.Replica;
import io.tandem.replication.ReplicaConfig;
import io.tandem.replication.log.DeltaRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at random moments (FAULTS.md, "Crash and storage"; issue 4): a child JVM writes
 * through a {@link Replica} and, on helper threads, straight into the store's group commit,
 * printing every write once acknowledged; the test kills it with SIGKILL after a random number
 * of acknowledgements, reopens the file and checks that every acknowledged write is there, that
 * the store opens and verifies cleanly, and that no dot is ever issued twice across restarts.
 *
 * <p>{@code -Dtandem.crashCycles=N} sets the number of kills (20 in CI),
 * {@code -Dtandem.crashSeed=S} replays a run.
 */
class CrashTest {

  private static final int HELPERS = 3;
  private static final long LINE_TIMEOUT_SECONDS = 60;

  @TempDir
  Path tmp;

  /** Every acknowledged write of the replica's feed, across all cycles: seq to token. */
  private final Map<Long, String> acked = new HashMap<>();
  /** The highest acknowledged seq of each helper feed. */
  private final Map<ReplicaId, Long> helperAcked = new HashMap<>();
  private long lastSnapshotAcked;
  private long lastInstallAcked;
  private final List<Long> reopenMillis = new ArrayList<>();
  private final List<Long> childOpenMillis = new ArrayList<>();

  /**
   * The "secret" records acknowledged (seq to the element written), and the highest seq an
   * acknowledged purge covered.
   */
  private final java.util.TreeMap<Long, String> secrets = new java.util.TreeMap<>();
  private long purgedAcked;

  @Test
  void everyAcknowledgedWriteSurvivesKillNineAndNoDotIsIssuedTwice() throws Exception {
    run("mixed", Integer.getInteger("tandem.crashCycles", 20));
  }

  /**
   * Kills land in snapshot writes and in the compactions they start: the store opens with the
   * old snapshot and log or the new ones, whole (a mix would fail the snapshot's hash, the
   * feeds' check, or the replica's state, all checked after each kill).
   */
  @Test
  void killNineDuringSnapshotWritesAndCompactionsLeavesTheOldOrTheNewStateWhole()
      throws Exception {
    run("snapshots", modeCycles());
  }

  /**
   * Kills land in purges (each rewrites every "secret" record, then compacts the file): every
   * record a purge covered is purged, or none of them is, and an acknowledged purge stays.
   */
  @Test
  void killNineDuringPurgesLeavesEveryRecordOfThePurgePurgedOrNone() throws Exception {
    run("purges", modeCycles());
  }

  /**
   * The engine compacts on a thread of its own while the writer purges: kills land in its runs,
   * and a purge that lands inside a run is never undone by it (no secret an acknowledged purge
   * removed is in the replica rebuilt from the store, snapshot or log).
   */
  @Test
  void killNineWhileTheEngineCompactsBesidePurgesNeverBringsAPurgedValueBack() throws Exception {
    run("compaction", modeCycles());
  }

  /**
   * Kills in the snapshot, purge and compaction modes: a tenth of {@code tandem.crashCycles}, at
   * least 2 (purges rewrite every row and compact the file, so a cycle takes long).
   */
  private static int modeCycles() {
    return Math.max(2, Integer.getInteger("tandem.crashCycles", 20) / 10);
  }

  private void run(String mode, int cycles) throws Exception {
    long seed = Long.getLong("tandem.crashSeed", System.nanoTime());
    Random random = new Random(seed);
    Path dir = tmp.resolve("store");
    System.out.printf("CrashTest %s: %d cycles, seed %d (-Dtandem.crashSeed=%d replays)%n",
        mode, cycles, seed, seed);
    ReplicaId self = null;
    long writes = 0;
    for (int cycle = 1; cycle <= cycles; cycle++) {
      // Mostly kill mid-stream; now and then right after opening, while the replica replays.
      int killAfter = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(400);
      Process child = ChildJvm.start(CrashWriter.class, tmp.resolve("child-" + cycle + ".err"),
          dir.toString(), String.valueOf(cycle), String.valueOf(HELPERS),
          String.valueOf(random.nextLong()), mode);
      BlockingQueue<String> lines = lines(child);
      try {
        String open = next(lines, child, cycle);
        String[] f = open.split(" ");
        assertThat(f[0]).as("cycle %d: first line", cycle).isEqualTo("open");
        ReplicaId id = ReplicaId.parse(f[1]);
        if (self == null) {
          self = id;
        }
        assertThat(id).as("the store keeps its replica id").isEqualTo(self);
        long resumedAt = Long.parseLong(f[2]);
        childOpenMillis.add(Long.parseLong(f[3]));
        long maxAcked = acked.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
        assertThat(resumedAt).as("cycle %d: the replica resumes at or after its last "
            + "acknowledged write", cycle).isGreaterThanOrEqualTo(maxAcked);
        if (cycle == 1) {
          // While the child owns the store, this process cannot open it.
          assertThatThrownBy(() -> H2ReplicaStore.open(dir))
              .isInstanceOf(StoreLockedException.class)
              .hasMessageContaining("in use by another process");
        }
        int seen = 0;
        long expectedSeq = resumedAt + 1;
        while (seen < killAfter) {
          String[] l = next(lines, child, cycle).split(" ");
          switch (l[0]) {
            case "w" -> {
              long seq = Long.parseLong(l[1]);
              assertThat(seq).as("cycle %d: dots follow the feed", cycle).isEqualTo(expectedSeq);
              String before = acked.put(seq, l[2]);
              if (before != null) {
                fail("dot %s:%d issued twice: %s, then %s in cycle %d", self, seq, before, l[2],
                    cycle);
              }
              expectedSeq++;
              seen++;
              writes++;
            }
            case "h" -> helperAcked.merge(ReplicaId.parse(l[1]), Long.parseLong(l[2]),
                Math::max);
            case "S" -> lastSnapshotAcked = Math.max(lastSnapshotAcked, Long.parseLong(l[1]));
            case "I" -> {
              lastSnapshotAcked = Math.max(lastSnapshotAcked, Long.parseLong(l[1]));
              lastInstallAcked = Math.max(lastInstallAcked, Long.parseLong(l[1]));
            }
            case "s" -> {
              long seq = Long.parseLong(l[1]);
              assertThat(seq).as("cycle %d: dots follow the feed", cycle).isEqualTo(expectedSeq);
              secrets.put(seq, l[2]);
              expectedSeq++;
            }
            case "P" -> purgedAcked = Math.max(purgedAcked, Long.parseLong(l[1]));
            default -> fail("unexpected line %s", String.join(" ", l));
          }
        }
      } finally {
        child.destroyForcibly(); // SIGKILL on Linux and macOS
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child died").isTrue();
      }
      drain(lines);
      try {
        checkStore(dir, self, cycle);
        System.out.printf("CrashTest cycle %d: killed after %d acknowledged writes; child opened"
            + " in %d ms; store reopened and verified in %d ms; file %d KiB%n", cycle, killAfter,
            childOpenMillis.get(childOpenMillis.size() - 1),
            reopenMillis.get(reopenMillis.size() - 1),
            Files.size(H2ReplicaStore.databaseFile(dir)) / 1024);
      } catch (AssertionError | RuntimeException e) {
        Path kept = keep(dir, cycle);
        throw new AssertionError("cycle " + cycle + " (seed " + seed + "), store kept in " + kept
            + ": " + e.getMessage(), e);
      }
    }
    System.out.printf("CrashTest %s: %d kill -9 cycles, %d acknowledged replica writes, helper "
        + "feeds %s, snapshot acknowledged at %d, purge at %d; after each kill, store open + "
        + "verify ms %s; replica open (store open and replay, in the child) ms %s%n", mode,
        cycles, writes, helperAcked, lastSnapshotAcked, purgedAcked, summary(reopenMillis),
        summary(childOpenMillis));
  }

  private static String summary(List<Long> millis) {
    List<Long> sorted = new ArrayList<>(millis);
    Collections.sort(sorted);
    return "min " + sorted.get(0) + ", median " + sorted.get(sorted.size() / 2) + ", max "
        + sorted.get(sorted.size() - 1);
  }

  /** Reopens after a kill: it opens, verifies, holds every acknowledged write, as acknowledged. */
  private void checkStore(Path dir, ReplicaId self, int cycle) {
    long start = System.nanoTime();
    H2ReplicaStore store = H2ReplicaStore.open(dir);
    store.verify();
    reopenMillis.add((System.nanoTime() - start) / 1_000_000);

    long floor = store.snapshot().vector().get(self);
    assertThat(floor).as("cycle %d: a saved snapshot is kept", cycle)
        .isGreaterThanOrEqualTo(lastSnapshotAcked);
    // An installed snapshot is whole or absent: the vector of the feed only it covers is the
    // snapshot's, and reaches the last install acknowledged.
    long fetched = store.snapshot().vector().get(CrashWriter.FETCHED);
    assertThat(store.vector().get(CrashWriter.FETCHED)).as("cycle %d: fetched feed", cycle)
        .isEqualTo(fetched).isGreaterThanOrEqualTo(lastInstallAcked);
    // Every feed holds every acknowledged write: the replica's and the helpers' (which went
    // straight into the group commit), all reported at once to tell a lost commit from a bug.
    Map<ReplicaId, Long> ackedTo = new HashMap<>(helperAcked);
    ackedTo.put(self, Math.max(acked.keySet().stream().mapToLong(Long::longValue).max()
        .orElse(0), secrets.isEmpty() ? 0 : secrets.lastKey()));
    Map<ReplicaId, String> lost = new HashMap<>();
    ackedTo.forEach((feed, seq) -> {
      if (store.vector().get(feed) < seq) {
        lost.put(feed, "holds " + store.vector().get(feed) + ", acknowledged " + seq);
      }
    });
    assertThat(lost).as("cycle %d: feeds missing acknowledged writes", cycle).isEmpty();
    // The record at each acknowledged seq is the acknowledged write, not another one; the
    // purged "secret" records are a prefix of them, covering every acknowledged purge.
    long lastPurged = 0;
    long firstUnpurged = Long.MAX_VALUE;
    for (DeltaRecord r : readAll(store, self, floor + 1)) {
      if (r.object().equals(CrashWriter.SECRET)) {
        if (java.util.Arrays.equals(r.payload(), CrashWriter.PURGED)) {
          lastPurged = r.seq();
        } else {
          firstUnpurged = Math.min(firstUnpurged, r.seq());
        }
        continue;
      }
      String token = acked.get(r.seq());
      if (token != null) {
        assertThat(decode(r).elements()).as("cycle %d: record %d", cycle, r.seq())
            .containsExactly(token);
      }
    }
    assertThat(lastPurged).as("cycle %d: a purged secret record after an unpurged one (%d): "
        + "a purge half applied", cycle, firstUnpurged).isLessThan(firstUnpurged);
    Long lastCovered = secrets.floorKey(purgedAcked);
    if (lastCovered != null && lastCovered > floor) {
      assertThat(lastPurged).as("cycle %d: the acknowledged purge up to %d", cycle, purgedAcked)
          .isGreaterThanOrEqualTo(lastCovered);
    }
    // And the replica rebuilt from the snapshot plus the log shows them all. Compaction off:
    // this look must leave the store as the child left it, for the next child to go on with
    // its hand-made snapshots (which cover only its own feed).
    try (Replica replica = Replica.builder().store(store).config(ReplicaConfig.DEFAULT
        .withCompaction(0, ReplicaConfig.DEFAULT.forgetAfterMillis())).build()) {
      assertThat(replica.id()).isEqualTo(self);
      assertThat(replica.get("log", OrSet.<String>empty()).elements())
          .as("cycle %d: every acknowledged write is in the replica's state", cycle)
          .containsAll(acked.values());
      // A purge is never undone, by a compaction run it landed in or otherwise.
      java.util.Set<String> back = new java.util.TreeSet<>(
          replica.get(CrashWriter.SECRET, OrSet.<String>empty()).elements());
      back.retainAll(secrets.headMap(purgedAcked, true).values());
      assertThat(back).as("cycle %d: secrets an acknowledged purge removed", cycle).isEmpty();
    } // closes the store
  }

  /** Copies the store of a failed cycle to target/, for a post-mortem. */
  private static Path keep(Path dir, int cycle) throws IOException {
    Path kept = Path.of("target", "crash-" + System.currentTimeMillis() + "-cycle-" + cycle)
        .toAbsolutePath();
    Files.createDirectories(kept);
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, kept.resolve(f.getFileName()));
      }
    }
    return kept;
  }

  private static List<DeltaRecord> readAll(H2ReplicaStore store, ReplicaId feed, long from) {
    List<DeltaRecord> all = new ArrayList<>();
    for (long next = from; next <= store.vector().get(feed); ) {
      List<DeltaRecord> run = store.readFeed(feed, next, 1000);
      assertThat(run).as("feed %s from %d", feed, next).isNotEmpty();
      assertThat(run.get(0).seq()).isEqualTo(next);
      all.addAll(run);
      next = run.get(run.size() - 1).seq() + 1;
    }
    return all;
  }

  @SuppressWarnings("unchecked")
  private static OrSet<String> decode(DeltaRecord r) {
    try {
      return (OrSet<String>) BinaryCodec.decode(r.payload(), r.origin());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static BlockingQueue<String> lines(Process child) {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String l; (l = in.readLine()) != null; ) {
          lines.add(l);
        }
      } catch (Exception ignored) {
        // the child was killed
      }
      lines.add("<eof>");
    }, "crash-child-reader");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  private String next(BlockingQueue<String> lines, Process child, int cycle) throws Exception {
    String l = lines.poll(LINE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (l == null || l.equals("<eof>")) {
      Path err = tmp.resolve("child-" + cycle + ".err");
      fail("cycle %d: the child %s; its stderr:%n%s", cycle,
          l == null ? "printed nothing for " + LINE_TIMEOUT_SECONDS + " s" : "exited",
          Files.exists(err) ? Files.readString(err) : "(none)");
    }
    return l;
  }

  /** Lines the child printed before the kill landed: acknowledged too, so they count. */
  private void drain(BlockingQueue<String> lines) throws InterruptedException {
    while (true) {
      String l = lines.poll(30, TimeUnit.SECONDS);
      if (l == null || l.equals("<eof>")) {
        return;
      }
      String[] f = l.split(" ");
      switch (f[0]) {
        case "w" -> {
          String before = acked.put(Long.parseLong(f[1]), f[2]);
          assertThat(before).as("dot %s issued twice", f[1]).isNull();
        }
        case "h" -> helperAcked.merge(ReplicaId.parse(f[1]), Long.parseLong(f[2]), Math::max);
        case "S" -> lastSnapshotAcked = Math.max(lastSnapshotAcked, Long.parseLong(f[1]));
        case "I" -> {
          lastSnapshotAcked = Math.max(lastSnapshotAcked, Long.parseLong(f[1]));
          lastInstallAcked = Math.max(lastInstallAcked, Long.parseLong(f[1]));
        }
        case "s" -> secrets.put(Long.parseLong(f[1]), f[2]);
        case "P" -> purgedAcked = Math.max(purgedAcked, Long.parseLong(f[1]));
        default -> { }
      }
    }
  }
}
