package io.tandem.replication.spi;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a replica keeps its feeds, its snapshot and what it knows of its peers.
 *
 * <p>The contract, which {@code ReplicaStoreContract} tests for every implementation:
 * <ul>
 *   <li>{@link #append} returns only after the records are durable, and records become durable in
 *       the order given: after a crash the store holds a prefix of what was appended.</li>
 *   <li>Records of one feed are appended in sequence order without gaps; the store refuses a
 *       record that would leave a gap or repeat a sequence number with other content.</li>
 *   <li>{@link #readFeed} returns a gap-free run in order.</li>
 *   <li>{@link #vector} says, per origin, the highest sequence number held, snapshot included.</li>
 *   <li>A store belongs to one replica for ever: {@link #bind} fails for any other id.</li>
 * </ul>
 * Implementations are safe for use from several threads.
 */
public interface ReplicaStore extends AutoCloseable {

  /** The replica this store belongs to; empty for a new store. */
  Optional<ReplicaId> replicaId();

  /**
   * Binds a new store to {@code id}, durably. Binding again to the same id does nothing.
   *
   * @throws IllegalStateException if the store belongs to another replica
   */
  void bind(ReplicaId id);

  /**
   * Appends records, durable on return, in the order given.
   *
   * @throws IllegalArgumentException if a record would leave a gap in its feed or repeats a
   *     sequence number with other content; nothing of the call is stored then
   * @throws StoreException if the records could not be made durable
   */
  void append(List<DeltaRecord> records);

  /** Up to {@code max} records of {@code origin}'s feed from {@code fromSeq} on, gap-free. */
  List<DeltaRecord> readFeed(ReplicaId origin, long fromSeq, int max);

  /** Per origin, the highest sequence number held in the log or the snapshot. */
  VersionVector vector();

  /** The snapshot the log continues from; empty until one is saved. */
  Snapshot snapshot();

  /**
   * Replaces the snapshot, atomically, and may drop the records it covers.
   *
   * @throws IllegalArgumentException if the snapshot covers records the store never held
   */
  void saveSnapshot(Snapshot snapshot);

  /** The vector each known peer last acknowledged, by peer replica. */
  Map<ReplicaId, VersionVector> peerVectors();

  /** Records the vector {@code peer} acknowledged (it only ever grows). */
  void savePeerVector(ReplicaId peer, VersionVector acknowledged);

  /**
   * Whether {@link #saveSyncBase} survives {@link #close} and a reopen. A store that does not
   * keep them (the defaults) stays correct: every first session after a restart then sends whole
   * vectors, as before sync bases existed.
   */
  default boolean keepsSyncBases() {
    return false;
  }

  /** The sync base saved for each peer; empty for a store that does not keep them. */
  default Map<ReplicaId, SyncBase> syncBases() {
    return Map.of();
  }

  /**
   * Replaces the sync base of {@code peer}. It need not be durable before returning: a base lost
   * in a crash only makes the next session fall back to whole vectors.
   */
  default void saveSyncBase(ReplicaId peer, SyncBase base) {}

  @Override
  void close();
}
