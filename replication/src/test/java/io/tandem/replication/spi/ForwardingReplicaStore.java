package io.tandem.replication.spi;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A {@link ReplicaStore} that forwards every call, defaults included, to another: a test
 * overrides the one call where it wants something to happen (a purge landing in the middle of a
 * compaction, say), as Guava's {@code ForwardingObject}s are used.
 */
public class ForwardingReplicaStore implements ReplicaStore {

  private final ReplicaStore store;

  public ForwardingReplicaStore(ReplicaStore store) {
    this.store = store;
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
  public java.util.Set<ReplicaId> retiredIds() {
    return store.retiredIds();
  }

  @Override
  public void retire(ReplicaId current, ReplicaId next) {
    store.retire(current, next);
  }

  @Override
  public void append(List<DeltaRecord> records) {
    store.append(records);
  }

  @Override
  public PendingAppend appendQueued(List<DeltaRecord> records) {
    return store.appendQueued(records);
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
  public boolean saveSnapshotUnlessPurged(Snapshot snapshot, long purgesSeen) {
    return store.saveSnapshotUnlessPurged(snapshot, purgesSeen);
  }

  @Override
  public int purge(String object, UnaryOperator<byte[]> rewrite) {
    return store.purge(object, rewrite);
  }

  @Override
  public long purges() {
    return store.purges();
  }

  @Override
  public void installSnapshot(Snapshot snapshot) {
    store.installSnapshot(snapshot);
  }

  @Override
  public long snapshotSize() {
    return store.snapshotSize();
  }

  @Override
  public byte[] snapshotHash() {
    return store.snapshotHash();
  }

  @Override
  public byte[] snapshotChunk(long offset, int max) {
    return store.snapshotChunk(offset, max);
  }

  @Override
  public Optional<PartialSnapshot> partialSnapshot() {
    return store.partialSnapshot();
  }

  @Override
  public void appendPartialSnapshot(byte[] offer, long offset, byte[] chunk) {
    store.appendPartialSnapshot(offer, offset, chunk);
  }

  @Override
  public void clearPartialSnapshot() {
    store.clearPartialSnapshot();
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
  public boolean keepsSyncBases() {
    return store.keepsSyncBases();
  }

  @Override
  public Map<ReplicaId, SyncBase> syncBases() {
    return store.syncBases();
  }

  @Override
  public void saveSyncBase(ReplicaId peer, SyncBase base) {
    store.saveSyncBase(peer, base);
  }

  @Override
  public void close() {
    store.close();
  }
}
