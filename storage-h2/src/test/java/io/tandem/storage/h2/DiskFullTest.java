package io.tandem.storage.h2;

import static io.tandem.storage.h2.Fixtures.SELF;
import static io.tandem.storage.h2.Fixtures.X;
import static io.tandem.storage.h2.Fixtures.feed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.crdt.GCounter;
import io.tandem.crdt.VersionVector;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.replication.spi.Snapshot;
import io.tandem.replication.spi.StoreException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk fills up during a commit (FAULTS.md, "Crash and storage"): the write fails with a
 * {@link StoreException} to the writer, and what was acknowledged before is intact after the
 * store is reopened with room again. {@code -Dtandem.diskFullRuns=N} sets the number of fill
 * points per durability level (10 in CI), {@code -Dtandem.diskFullSeed=S} replays them.
 */
class DiskFullTest {

  @TempDir
  Path tmp;

  @AfterEach
  void room() {
    FullDisk.DISK.makeRoom();
  }

  @Test
  void appendOnAFullDiskFailsAndEarlierAcknowledgedWritesSurviveReopening() {
    int runs = Integer.getInteger("tandem.diskFullRuns", 10);
    long seed = Long.getLong("tandem.diskFullSeed", System.nanoTime());
    System.out.printf("DiskFullTest: %d fill points per level, seed %d%n", runs, seed);
    Random random = new Random(seed);
    for (Durability durability : Durability.values()) {
      for (int run = 0; run < runs; run++) {
        Path dir = tmp.resolve(durability + "-" + run);
        long free = random.nextInt(64 * 1024);
        String what = durability + ", disk full after " + free + " more bytes (seed " + seed + ")";
        long acked = fillUp(dir, durability, free, what);
        try (H2ReplicaStore store = H2ReplicaStore.open(dir, durability, FullDisk.VIA)) {
          store.verify();
          long held = store.vector().get(X);
          assertThat(held).as(what).isGreaterThanOrEqualTo(acked);
          assertThat(store.readFeed(X, 1, 100_000)).as(what).isEqualTo(feed(X, 1, held));
          // With room again the store goes on where it stood.
          store.append(feed(X, held + 1, held + 3));
          assertThat(store.vector().get(X)).isEqualTo(held + 3);
        }
      }
    }
  }

  @Test
  void snapshotOnAFullDiskFailsAndTheOldSnapshotAndLogStay() {
    Path dir = tmp.resolve("snap");
    try (H2ReplicaStore store = H2ReplicaStore.open(dir, Durability.POWER_LOSS_SAFE,
        FullDisk.VIA)) {
      store.bind(SELF);
      store.append(feed(X, 1, 200));
      store.saveSnapshot(counter(50));
      FullDisk.DISK.fillUpAfter(0);
      assertThatThrownBy(() -> store.saveSnapshot(counter(150)))
          .isInstanceOf(StoreException.class);
      FullDisk.DISK.makeRoom();
      closeAfterFailure(store);
    }
    try (H2ReplicaStore store = H2ReplicaStore.open(dir, Durability.POWER_LOSS_SAFE)) {
      store.verify();
      assertThat(store.snapshot().vector()).isEqualTo(VersionVector.of(X, 50));
      assertThat(store.readFeed(X, 51, 1000)).isEqualTo(feed(X, 51, 200));
    }
  }

  /** Appends until the disk is full; returns the highest seq acknowledged. */
  private static long fillUp(Path dir, Durability durability, long free, String what) {
    long acked = 0;
    H2ReplicaStore store = H2ReplicaStore.open(dir, durability, FullDisk.VIA);
    try {
      store.bind(SELF);
      for (; acked < 300; acked += 3) {
        store.append(feed(X, acked + 1, acked + 3));
      }
      FullDisk.DISK.fillUpAfter(free);
      StoreException failed = null;
      for (int i = 0; i < 10_000 && failed == null; i++) {
        try {
          store.append(feed(X, acked + 1, acked + 3));
          acked += 3;
        } catch (StoreException e) {
          failed = e;
        }
      }
      assertThat(failed).as("%s: an append failed", what).isNotNull();
      assertThat(FullDisk.DISK.refused()).as(what).isPositive();
      System.out.printf("DiskFullTest %s: %d acknowledged, then: %s%n", what, acked,
          failed.getMessage());
      // The store stays unusable or refuses again, but never acknowledges a lost write.
      long before = acked;
      assertThatThrownBy(() -> store.append(feed(X, before + 1, before + 3)))
          .as(what).isInstanceOf(StoreException.class);
    } finally {
      FullDisk.DISK.makeRoom();
      closeAfterFailure(store);
    }
    return acked;
  }

  private static void closeAfterFailure(H2ReplicaStore store) {
    try {
      store.close();
    } catch (StoreException ignored) {
      // closing a store whose disk failed may fail too; the file is released either way
    }
  }

  private static Snapshot counter(long toX) {
    return new Snapshot(VersionVector.of(X, toX), Map.of("x",
        BinaryCodec.encode(GCounter.empty().increment(X, toX))));
  }
}
