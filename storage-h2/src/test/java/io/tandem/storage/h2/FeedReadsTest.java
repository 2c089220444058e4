package io.tandem.storage.h2;

import static io.tandem.storage.h2.Fixtures.X;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.spi.Snapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lagging session reads a feed in batches far shorter than a row: the store serves them from
 * the row it decoded last, the same records as a read of the whole feed, and never a row's old
 * payloads once a purge rewrote it or a snapshot deleted it.
 */
class FeedReadsTest {

  private static final byte[] PURGED = {0};

  @TempDir
  Path tmp;

  @Test
  void shortReadsOfOneLongRowGiveTheSameRecordsAsOneWholeRead() {
    try (H2ReplicaStore store = H2ReplicaStore.open(tmp.resolve("s"))) {
      store.append(Fixtures.feed(X, 1, 3_000)); // one row
      store.append(Fixtures.feed(X, 3_001, 3_100)); // and a second
      List<DeltaRecord> batched = new ArrayList<>();
      for (long next = 1; next <= 3_100; next = batched.get(batched.size() - 1).seq() + 1) {
        batched.addAll(store.readFeed(X, next, 7));
      }
      assertThat(batched).usingRecursiveFieldByFieldElementComparator()
          .containsExactlyElementsOf(store.readFeed(X, 1, 10_000));
      assertThat(batched).extracting(DeltaRecord::seq).doesNotHaveDuplicates().hasSize(3_100);
    }
  }

  @Test
  void aRowReadBeforeAPurgeIsReadAgainAfterIt() {
    try (H2ReplicaStore store = H2ReplicaStore.open(tmp.resolve("s"))) {
      store.append(Fixtures.feed(X, 1, 300));
      DeltaRecord before = store.readFeed(X, 10, 1).get(0);
      assertThat(before.payload()).isNotEqualTo(PURGED);

      store.purge(before.object(), payload -> PURGED);

      assertThat(store.readFeed(X, 10, 5)).filteredOn(r -> r.object().equals(before.object()))
          .isNotEmpty().allSatisfy(r -> assertThat(r.payload()).isEqualTo(PURGED));
    }
  }

  @Test
  void aRowReadBeforeASnapshotDeletedItIsNotServedAfter() {
    try (H2ReplicaStore store = H2ReplicaStore.open(tmp.resolve("s"))) {
      store.append(Fixtures.feed(X, 1, 100));
      assertThat(store.readFeed(X, 50, 10)).hasSize(10);
      store.append(Fixtures.feed(X, 101, 120));

      store.saveSnapshot(new Snapshot(io.tandem.crdt.VersionVector.of(X, 100), Map.of()));

      assertThat(store.readFeed(X, 50, 10)).as("covered by the snapshot").isEmpty();
      assertThat(store.readFeed(X, 101, 50)).extracting(DeltaRecord::seq).hasSize(20)
          .startsWith(101L);
      assertThat(Arrays.equals(store.readFeed(X, 101, 1).get(0).payload(),
          Fixtures.record(X, 101).payload())).isTrue();
    }
  }
}
