package io.tandem.replication.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.spi.ReplicaStore;
import io.tandem.replication.spi.ReplicaStoreContract;
import io.tandem.replication.spi.Snapshot;
import io.tandem.replication.spi.StoreException;
import io.tandem.replication.spi.SyncBase;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The store contract for the in-memory store; {@code reopen} stands in for a restart. */
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

  /**
   * A store that overrides none of the defaults keeps no sync bases and no transfer, which is
   * correct: its sessions start with whole vectors, its transfers from the start.
   */
  @Test
  void storeOnTheDefaultsKeepsNoSyncBasesNorTransfer() {
    InMemoryReplicaStore held = new InMemoryReplicaStore();
    ReplicaStore plain = new ReplicaStore() {
      @Override public Optional<ReplicaId> replicaId() {
        return held.replicaId();
      }
      @Override public void bind(ReplicaId id) {
        held.bind(id);
      }
      @Override public void append(List<DeltaRecord> r) {
        held.append(r);
      }
      @Override public List<DeltaRecord> readFeed(ReplicaId origin, long fromSeq, int max) {
        return held.readFeed(origin, fromSeq, max);
      }
      @Override public VersionVector vector() {
        return held.vector();
      }
      @Override public Snapshot snapshot() {
        return held.snapshot();
      }
      @Override public void saveSnapshot(Snapshot s) {
        held.saveSnapshot(s);
      }
      @Override public Map<ReplicaId, VersionVector> peerVectors() {
        return held.peerVectors();
      }
      @Override public void savePeerVector(ReplicaId p, VersionVector v) {
        held.savePeerVector(p, v);
      }
      @Override public void close() {
        held.close();
      }
    };
    try {
      plain.bind(SELF);
      plain.saveSyncBase(OTHER, new SyncBase(VersionVector.of(X, 1), VersionVector.empty()));
      plain.appendPartialSnapshot(new byte[] {1}, 0, new byte[] {2});
      assertThat(plain.keepsSyncBases()).isFalse();
      assertThat(plain.syncBases()).isEmpty();
      assertThat(plain.partialSnapshot()).isEmpty();
      assertThatThrownBy(() -> plain.installSnapshot(new Snapshot(VersionVector.of(X, 1),
          Map.of()))).as("beyond the records held").isInstanceOf(IllegalArgumentException.class);
    } finally {
      plain.close();
    }
  }
}
