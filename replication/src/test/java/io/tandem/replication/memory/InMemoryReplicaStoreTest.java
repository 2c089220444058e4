package io.tandem.replication.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.crdt.Hlc;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.spi.PartialSnapshot;
import io.tandem.replication.spi.ReplicaStore;
import io.tandem.replication.spi.ReplicaStoreContract;
import io.tandem.replication.spi.Snapshot;
import io.tandem.replication.spi.SnapshotCodec;
import io.tandem.replication.spi.StoreException;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The store contract for the in-memory store; {@code reopen} stands in for a restart. The
 * snapshot-transfer methods are tested here until every store implements them (the default
 * {@code installSnapshot} takes no snapshot beyond the records held).
 */
class InMemoryReplicaStoreTest extends ReplicaStoreContract {

  @Override
  protected ReplicaStore open() {
    return new InMemoryReplicaStore();
  }

  @Override
  protected ReplicaStore reopen(ReplicaStore closed) {
    return ((InMemoryReplicaStore) closed).reopen();
  }

  /** Like a file lock: one open handle on the data at a time. */
  @Test
  void reopenWhileStillOpenIsRefused() {
    InMemoryReplicaStore store = new InMemoryReplicaStore();
    try {
      assertThatThrownBy(store::reopen).isInstanceOf(StoreException.class);
    } finally {
      store.close();
    }
  }

  @Test
  void installedSnapshotMayCoverRecordsNeverHeldAndTheLogContinuesAfterIt() {
    InMemoryReplicaStore store = new InMemoryReplicaStore();
    try {
      store.bind(SELF);
      store.append(List.of(record(X, 1), record(X, 2)));
      Snapshot fetched = new Snapshot(VersionVector.of(X, 5), Map.of("o", new byte[] {1}),
          new Hlc(9, 0, X));
      store.installSnapshot(fetched);
      assertThat(store.vector()).isEqualTo(VersionVector.of(X, 5));
      assertThat(store.snapshot()).isEqualTo(fetched);
      assertThat(store.readFeed(X, 1, 10)).isEmpty();
      store.append(List.of(record(X, 6)));
      assertThat(store.readFeed(X, 6, 10)).containsExactly(record(X, 6));
      assertThatThrownBy(() -> store.installSnapshot(new Snapshot(VersionVector.of(X, 4),
          Map.of()))).as("older than the one held").isInstanceOf(IllegalArgumentException.class);
      // The default, which stores without an install of their own get, refuses it.
      ReplicaStore plain = store;
      assertThatThrownBy(() -> ReplicaStore.class.getMethod("installSnapshot", Snapshot.class)
          .invoke(plain, new Snapshot(VersionVector.of(X, 4), Map.of()))).hasCauseInstanceOf(
              IllegalArgumentException.class);
    } finally {
      store.close();
    }
  }

  @Test
  void snapshotChunksReassembleToItsEncodingAndHash() {
    InMemoryReplicaStore store = new InMemoryReplicaStore();
    try {
      store.bind(SELF);
      store.append(List.of(record(X, 1), record(X, 2), record(X, 3)));
      Snapshot s = new Snapshot(VersionVector.of(X, 3), Map.of("a", new byte[100],
          "b", new byte[] {7}), new Hlc(3, 1, X));
      store.saveSnapshot(s);
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      for (long at = 0; at < store.snapshotSize(); at += 16) {
        all.writeBytes(store.snapshotChunk(at, 16));
      }
      assertThat(store.snapshotChunk(store.snapshotSize(), 16)).isEmpty();
      assertThatThrownBy(() -> store.snapshotChunk(store.snapshotSize() + 1, 16))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(all.toByteArray()).isEqualTo(SnapshotCodec.encode(s));
      assertThat(store.snapshotHash()).isEqualTo(SnapshotCodec.sha256(all.toByteArray()));
      assertThat(SnapshotCodec.encode(SnapshotCodec.decode(all.toByteArray())))
          .isEqualTo(all.toByteArray());
    } finally {
      store.close();
    }
  }

  @Test
  void partialSnapshotSurvivesARestartAndStartsOverForAnotherOffer() {
    InMemoryReplicaStore store = new InMemoryReplicaStore();
    byte[] offer = {1, 2, 3};
    store.appendPartialSnapshot(offer, 0, new byte[] {10, 11});
    store.appendPartialSnapshot(offer, 2, new byte[] {12});
    store.appendPartialSnapshot(offer, 7, new byte[] {99}); // not where the bytes end: ignored
    store.close();
    InMemoryReplicaStore again = store.reopen();
    try {
      PartialSnapshot kept = again.partialSnapshot().orElseThrow();
      assertThat(kept.offer()).isEqualTo(offer);
      assertThat(kept.verified()).containsExactly(10, 11, 12);
      again.appendPartialSnapshot(new byte[] {4}, 0, new byte[] {20});
      assertThat(again.partialSnapshot().orElseThrow().verified()).containsExactly(20);
      again.clearPartialSnapshot();
      assertThat(again.partialSnapshot()).isEmpty();
    } finally {
      again.close();
    }
  }
}
