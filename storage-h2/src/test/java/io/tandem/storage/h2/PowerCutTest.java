package io.tandem.storage.h2;

import static io.tandem.storage.h2.Fixtures.SELF;
import static io.tandem.storage.h2.Fixtures.X;
import static io.tandem.storage.h2.Fixtures.Y;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.GCounter;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.replication.spi.Snapshot;
import io.tandem.replication.spi.StoreException;
import io.tandem.storage.h2.PowerCutDisk.Fate;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Simulated power loss (FAULTS.md, "Crash and storage", numeric goal 6; issue 4): the store
 * writes through a {@link PowerCutDisk}, the power goes after a random number of disk
 * operations, the disk comes back with its unsynced writes dropped, reordered or torn, and the
 * store is reopened from the real file.
 *
 * <p>{@code -Dtandem.powerCuts=N} sets the number of cuts in the power-safe level (100 in CI;
 * 1,000 on demand; half as many in the other level), {@code -Dtandem.powerCutSeed=S} replays a run: every choice, the workload's, the
 * moment of the cut and what survives it, comes from that seed.
 */
class PowerCutTest {

  /** How many cuts a store goes through before the next test starts a new one. */
  private static final int CUTS_PER_STORE = 5;

  @TempDir
  Path tmp;

  @AfterEach
  void powerBackOn() {
    PowerCutDisk.DISK.reset();
  }

  /**
   * In {@link Durability#POWER_LOSS_SAFE} every acknowledged write, and the witness of it, was
   * synced before it was acknowledged: after any cut the store opens, and it holds every
   * acknowledged write. H2 alone fell short of both: when the sectors of an unsynced chunk landed
   * out of order (its first and last, not some between) it took the torn chunk for whole and
   * could not read it, so the store refused to open (about 1 cut in 100); and a synced commit
   * whose chunk went into reused space was lost when the power went before the next one, as
   * H2's header still named the chunk before (seed 21077863779976 of this test, before the fix).
   * {@link OrderedWrites} and {@link StoreHeader} close both; 2,000 cuts then opened every time
   * with nothing lost.
   */
  @Test
  void powerLossSafeStoreAlwaysOpensWithEveryAcknowledgedWrite() throws Exception {
    Outcomes o = run(Durability.POWER_LOSS_SAFE);
    assertThat(o.lostAcknowledged).as("cuts that lost an acknowledged write").isZero();
    assertThat(o.refused).as("cuts after which the store refused to open").isZero();
    assertThat(o.opened).isEqualTo(o.cuts);
  }

  /**
   * In {@link Durability#PROCESS_CRASH_SAFE} nothing is synced, the witness neither, and a cut
   * may lose what was acknowledged since the kernel last wrote its cache back: that window, and
   * no more. The store then opens without the window's writes (when the witness went back with
   * them) or refuses with a {@link StoreCorruptedException} (when the witness shows the loss,
   * or H2 cannot read what the cut left); it never holds less than was written back.
   */
  @Test
  void processCrashSafeStoreLosesAtMostTheWritesSinceTheLastWriteback() throws Exception {
    Outcomes o = run(Durability.PROCESS_CRASH_SAFE);
    assertThat(o.lostBeyondWindow).as("cuts that lost a write older than the last writeback")
        .isZero();
  }

  /** What the cuts of one run did. */
  private static final class Outcomes {
    final Map<Fate, Integer> fates = new EnumMap<>(Fate.class);
    final Map<Fate, Integer> refusedBy = new EnumMap<>(Fate.class);
    int cuts;
    int acknowledged;
    int opened;
    int refused;
    int lostAcknowledged;
    int lostBeyondWindow;
    long syncs;
  }

  private Outcomes run(Durability durability) throws Exception {
    int cuts = Integer.getInteger("tandem.powerCuts", 100);
    if (durability == Durability.PROCESS_CRASH_SAFE) {
      cuts = Math.max(1, cuts / 2); // goal 6 binds the power-safe level; this one shows the window
    }
    long seed = Long.getLong("tandem.powerCutSeed", System.nanoTime());
    System.out.printf("PowerCutTest %s: %d cuts, seed %d (-Dtandem.powerCutSeed=%d replays)%n",
        durability, cuts, seed, seed);
    Random random = new Random(seed);
    Outcomes o = new Outcomes();
    Writes w = null;
    for (int cut = 1; cut <= cuts; cut++) {
      if (w == null || (cut - 1) % CUTS_PER_STORE == 0) {
        w = new Writes(tmp.resolve(durability + "-" + cut), durability);
      }
      try {
        if (!w.cutAndCheck(random, o)) {
          w = null; // refused, as it may be without syncs: the next cut starts a new store
        }
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("cut " + cut + " (seed " + seed + "), store in " + w.dir + ": "
            + e.getMessage() + "\nthe cut: " + PowerCutDisk.DISK.lastCut(), e);
      }
    }
    System.out.printf("PowerCutTest %s: %d cuts; %d writes acknowledged; %d syncs; reopened %d, "
        + "refused as damaged %d; lost acknowledged %d (beyond the writeback window %d); "
        + "fates %s, refused after %s%n", durability, o.cuts, o.acknowledged, o.syncs,
        o.opened, o.refused, o.lostAcknowledged, o.lostBeyondWindow, o.fates,
        o.refusedBy);
    return o;
  }

  /** One store through a series of cuts, and what it acknowledged. */
  private static final class Writes {
    final Path dir;
    final Durability durability;
    /** Per feed, the highest seq acknowledged (or found after a cut: the truth from then on). */
    final Map<ReplicaId, Long> acked = new TreeMap<>();
    /** Per feed, the highest seq written back to the platter by the last writeback or sync. */
    final Map<ReplicaId, Long> settled = new TreeMap<>();
    long snapshotAcked;

    Writes(Path dir, Durability durability) {
      this.dir = dir;
      this.durability = durability;
      PowerCutDisk.DISK.reset();
      try (H2ReplicaStore s = H2ReplicaStore.open(dir, durability, PowerCutDisk.VIA)) {
        s.bind(SELF); // created and closed cleanly: the platter starts here
      }
      for (ReplicaId f : List.of(X, Y)) {
        acked.put(f, 0L);
        settled.put(f, 0L);
      }
    }

    /** Writes until the power goes, brings it back, reopens; false if the store refused. */
    boolean cutAndCheck(Random random, Outcomes o) throws IOException {
      PowerCutDisk disk = PowerCutDisk.DISK;
      disk.reset();
      disk.cutAfter(1 + random.nextInt(200));
      H2ReplicaStore store = null;
      try {
        store = H2ReplicaStore.open(dir, durability, PowerCutDisk.VIA);
        for (int step = 0; step < 150 && !disk.isDown(); step++) {
          step(store, random, o);
        }
      } catch (StoreException e) {
        if (!disk.isDown()) {
          throw e;
        }
      } finally {
        disk.cutNow();
        o.syncs += disk.syncs();
        if (store != null) {
          closeAfterCut(store);
        }
      }
      Fate fate = Fate.values()[random.nextInt(Fate.values().length)];
      o.fates.merge(fate, 1, Integer::sum);
      o.cuts++;
      disk.powerOn(random, fate);
      boolean opened = check(o);
      if (!opened) {
        o.refusedBy.merge(fate, 1, Integer::sum);
      }
      return opened;
    }

    private void step(H2ReplicaStore store, Random random, Outcomes o) {
      int r = random.nextInt(100);
      if (r < 75) {
        // One to three appends queued before the first is awaited: one group commit.
        List<GroupCommit.Request> queued = new ArrayList<>();
        Map<ReplicaId, Long> next = new TreeMap<>(acked);
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
          ReplicaId f = random.nextBoolean() ? X : Y;
          long from = next.get(f) + 1;
          long to = from + random.nextInt(8);
          queued.add(store.enqueueAppend(Fixtures.feed(f, from, to)));
          next.put(f, to);
        }
        for (GroupCommit.Request q : queued) {
          store.awaitAppend(q);
          for (var rec : q.records) {
            acked.merge(rec.origin(), rec.seq(), Math::max);
          }
          o.acknowledged += q.records.size();
        }
      } else if (r < 85) {
        long to = snapshotAcked + random.nextInt((int) (acked.get(X) - snapshotAcked) + 1);
        store.saveSnapshot(snapshot(to));
        snapshotAcked = to;
      } else if (r < 92) {
        store.savePeerVector(ReplicaId.of(0x77), VersionVector.of(X, acked.get(X)));
      } else {
        PowerCutDisk.DISK.writeBack();
        settled.putAll(acked);
      }
    }

    /** Reopens after the cut and checks what the store holds against what it acknowledged. */
    private boolean check(Outcomes o) {
      H2ReplicaStore store;
      try {
        // Through the disk with the power on: its syncs are simulated, so the check is quick.
        PowerCutDisk.DISK.reset();
        store = H2ReplicaStore.open(dir, durability, PowerCutDisk.VIA);
        store.verify();
      } catch (StoreCorruptedException e) {
        o.refused++;
        System.out.printf("PowerCutTest %s: refused after a cut: %s%n", durability,
            e.getMessage());
        if (durability == Durability.POWER_LOSS_SAFE) {
          System.out.println("the cut: " + PowerCutDisk.DISK.lastCut());
        }
        return false;
      }
      try (store) {
        o.opened++;
        assertThat(store.replicaId()).contains(SELF);
        boolean lost = false;
        for (ReplicaId f : List.of(X, Y)) {
          long held = store.vector().get(f);
          if (held < acked.get(f)) {
            lost = true;
            if (held < settled.get(f)) {
              o.lostBeyondWindow++;
            }
          }
          long from = store.snapshot().vector().get(f) + 1;
          if (from <= held) {
            assertThat(store.readFeed(f, from, 100_000)).as("feed %s from %d", f, from)
                .isEqualTo(Fixtures.feed(f, from, held));
          }
          acked.put(f, held); // what it holds now is what the next cut must keep
          settled.put(f, Math.min(settled.get(f), held));
        }
        if (lost) {
          o.lostAcknowledged++;
        }
        Snapshot s = store.snapshot();
        long snapshotAt = s.vector().get(X);
        if (durability == Durability.POWER_LOSS_SAFE) {
          assertThat(snapshotAt).as("the acknowledged snapshot").isGreaterThanOrEqualTo(
              snapshotAcked);
        }
        if (snapshotAt > 0) {
          assertThat(s.objects().get("x")).as("the snapshot is whole")
              .isEqualTo(snapshot(snapshotAt).objects().get("x"));
        }
        snapshotAcked = snapshotAt;
      }
      return true;
    }

    private static Snapshot snapshot(long toX) {
      return toX == 0 ? Snapshot.empty() : new Snapshot(VersionVector.of(X, toX),
          Map.of("x", BinaryCodec.encode(GCounter.empty().increment(X, toX))));
    }
  }

  /** The dead store cannot write; closing it releases the file, whatever it says. */
  private static void closeAfterCut(H2ReplicaStore store) {
    try {
      store.close();
    } catch (StoreException expected) {
      // H2 failed to write its closing chunk: the disk is gone
    }
  }
}
