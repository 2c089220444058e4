package io.tandem.storage.h2;

import static io.tandem.storage.h2.Fixtures.SELF;
import static io.tandem.storage.h2.Fixtures.X;
import static io.tandem.storage.h2.Fixtures.Y;
import static io.tandem.storage.h2.Fixtures.feed;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.GCounter;
import io.tandem.crdt.VersionVector;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.replication.spi.Snapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file stays proportional to the live state (issue 4, "Compaction"): a long log folded into
 * a snapshot gives its space back to the disk, not only to H2 for reuse.
 */
class FileSizeTest {

  /** Enough for the log to pass the reclaim floor, gathered by the journal's checkpoints. */
  private static final int DELTAS = 100_000;
  private static final int BATCH = 50;

  @TempDir
  Path tmp;

  @Test
  void fileShrinksToTheLiveStateOnceASnapshotCoversTheLog() throws Exception {
    Path dir = tmp.resolve("store");
    Path file = H2ReplicaStore.databaseFile(dir);
    long peak;
    long compacted;
    long tail = 200;
    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      store.bind(SELF);
      long empty = Files.size(file);
      for (long s = 1; s <= DELTAS; s += BATCH) {
        store.append(feed(X, s, s + BATCH - 1));
      }
      store.append(feed(Y, 1, tail)); // the unstable tail: not covered by the snapshot
      peak = Files.size(file);
      // The live state of 50,000 increments is one small counter.
      store.saveSnapshot(new Snapshot(VersionVector.of(X, DELTAS),
          Map.of("x", BinaryCodec.encode(GCounter.empty().increment(X, DELTAS)))));
      compacted = Files.size(file);
      System.out.printf("FileSizeTest: empty store %d KiB; %d deltas in %d appends %d KiB; "
          + "after the snapshot covering them %d KiB%n", empty / 1024, DELTAS, DELTAS / BATCH,
          peak / 1024, compacted / 1024);
      assertThat(peak).as("the log took space").isGreaterThan(H2ReplicaStore.RECLAIM_FLOOR);
      assertThat(compacted).as("the file after the snapshot, against the empty store")
          .isLessThan(empty + 256 * 1024);
      // Still the same store, and it goes on.
      store.append(feed(Y, tail + 1, tail + 10));
    }
    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      store.verify();
      assertThat(store.vector()).isEqualTo(VersionVector.of(Map.of(X, (long) DELTAS, Y, tail + 10)));
      assertThat(store.snapshot().vector()).isEqualTo(VersionVector.of(X, DELTAS));
      assertThat(store.readFeed(Y, 1, 1000)).isEqualTo(feed(Y, 1, tail + 10));
    }
  }
}
