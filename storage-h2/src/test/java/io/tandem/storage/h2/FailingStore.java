package io.tandem.storage.h2;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.spi.PendingAppend;
import io.tandem.replication.spi.ReplicaStore;
import io.tandem.replication.spi.Snapshot;
import io.tandem.replication.spi.StoreException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An H2 store whose {@code n}-th queued append fails as a full disk would: its records are not
 * stored, so the store refuses every later record of that feed as a gap.
 */
final class FailingStore implements ReplicaStore {

  private final H2ReplicaStore store;
  private final int failing;
  private final AtomicInteger queued = new AtomicInteger();

  FailingStore(H2ReplicaStore store, int failing) {
    this.store = store;
    this.failing = failing;
  }

  @Override
  public PendingAppend appendQueued(List<DeltaRecord> records) {
    if (queued.incrementAndGet() == failing) {
      return () -> {
        throw new StoreException("disk full (append " + failing + " of this test)");
      };
    }
    return store.appendQueued(records);
  }

  @Override
  public Optional<ReplicaId> replicaId() {
    return store.replicaId();
  }

  @Override
  public void bind(ReplicaId id) {
    store.bind(id);
  }

  @Override
  public void append(List<DeltaRecord> records) {
    store.append(records);
  }

  @Override
  public List<DeltaRecord> readFeed(ReplicaId origin, long fromSeq, int max) {
    return store.readFeed(origin, fromSeq, max);
  }

  @Override
  public VersionVector vector() {
    return store.vector();
  }

  @Override
  public Snapshot snapshot() {
    return store.snapshot();
  }

  @Override
  public void saveSnapshot(Snapshot snapshot) {
    store.saveSnapshot(snapshot);
  }

  @Override
  public Map<ReplicaId, VersionVector> peerVectors() {
    return store.peerVectors();
  }

  @Override
  public void savePeerVector(ReplicaId peer, VersionVector acknowledged) {
    store.savePeerVector(peer, acknowledged);
  }

  @Override
  public void close() {
    store.close();
  }
}
