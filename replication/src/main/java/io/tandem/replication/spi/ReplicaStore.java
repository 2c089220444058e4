package io.tandem.replication.spi;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

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
 *   <li>A store belongs to one replica at a time: {@link #bind} fails for any other id. It
 *       changes only through {@link #retire}, which gives the old id up for good: a retired id
 *       is never bound again.</li>
 *   <li>A purge is never undone: once {@link #purge} returns, no payload it replaced comes back
 *       into the log or the snapshot through this store. A snapshot folded from records read
 *       before the purge is saved only through {@link #saveSnapshotUnlessPurged}, which refuses
 *       it.</li>
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
   * The ids this store's replica gave up ({@link #retire}), kept for good: none is ever bound
   * again. The default, for a store that cannot retire, is none.
   */
  default Set<ReplicaId> retiredIds() {
    return Set.of();
  }

  /**
   * Gives up {@code current}, the id this store is bound to, for good, and binds the store to
   * {@code next}, atomically and durably: after a crash the store is bound to {@code current}
   * with nothing retired, or to {@code next} with {@code current} retired, never anything in
   * between. The records of {@code current}'s feed stay, as a third replica's. A replica calls
   * this when it finds its id reused (its store restored from a backup or copied to a second
   * device), before it writes anything under {@code next}.
   *
   * <p>The default cannot retire and throws {@link UnsupportedOperationException}: a replica
   * over such a store keeps refusing what shows its id reused.
   *
   * @throws IllegalStateException if the store is not bound to {@code current}, or
   *     {@code next} is retired or has records here
   * @throws StoreException if it could not be made durable; the store is unchanged then
   */
  default void retire(ReplicaId current, ReplicaId next) {
    throw new UnsupportedOperationException(getClass().getName() + " cannot retire an id");
  }

  /**
   * Appends records, durable on return, in the order given.
   *
   * @throws IllegalArgumentException if a record would leave a gap in its feed or repeats a
   *     sequence number with other content; nothing of the call is stored then
   * @throws StoreException if the records could not be made durable
   */
  void append(List<DeltaRecord> records);

  /**
   * Queues an append behind those queued before and returns at once; the handle's
   * {@link PendingAppend#await} returns once the records are durable. Appends queued in call order
   * become durable in that order, so a writer can take a sequence number and queue under its own
   * lock, await outside it, and concurrent writers share the store's commits. A refused or failed
   * append fails every later one of the same feed as well: the store never leaves a gap.
   *
   * <p>The default appends synchronously and returns a done handle.
   *
   * @throws IllegalArgumentException as {@link #append}, if the store checks at once
   * @throws StoreException as {@link #append}, if the store appends at once
   */
  default PendingAppend appendQueued(List<DeltaRecord> records) {
    append(records);
    return PendingAppend.DONE;
  }

  /** Up to {@code max} records of {@code origin}'s feed from {@code fromSeq} on, gap-free. */
  List<DeltaRecord> readFeed(ReplicaId origin, long fromSeq, int max);

  /** Per origin, the highest sequence number held in the log or the snapshot. */
  VersionVector vector();

  /** The snapshot the log continues from; empty until one is saved. */
  Snapshot snapshot();

  /**
   * Replaces the snapshot, atomically, and may drop the records it covers. A snapshot folded
   * from records read earlier is saved with {@link #saveSnapshotUnlessPurged} instead, or it may
   * undo a purge.
   *
   * @throws IllegalArgumentException if the snapshot covers records the store never held
   */
  void saveSnapshot(Snapshot snapshot);

  /**
   * Replaces the snapshot as {@link #saveSnapshot} does, unless a {@link #purge} changed the
   * store after {@link #purges()} returned {@code purgesSeen}: then it returns false and changes
   * nothing. The check and the save are one step under the store's lock.
   *
   * <p>This is how a snapshot folded from records read outside that lock is saved (compaction
   * reads the snapshot and the stable records, merges them, and saves the result, while writes
   * and purges go on). A purge that lands between those reads and the save would otherwise be
   * undone: the save would put back, in the snapshot, the payloads the purge had replaced, and
   * drop the purged records it covers. The caller reads {@link #purges()} before it reads
   * anything it folds, and folds again after a refusal.
   *
   * <p>The default checks and saves in two steps, which is only right for a store that never
   * purges (the default {@link #purge}); a store that purges overrides both.
   *
   * @return whether the snapshot was saved
   * @throws IllegalArgumentException as {@link #saveSnapshot}
   */
  default boolean saveSnapshotUnlessPurged(Snapshot snapshot, long purgesSeen) {
    if (purges() != purgesSeen) {
      return false;
    }
    saveSnapshot(snapshot);
    return true;
  }

  /**
   * Removes a value's payload from the store: every record of {@code object}, in every feed, and
   * the object's state in the snapshot, goes through {@code rewrite}, and what it returns
   * replaces the payload (return the argument itself to keep it). The records stay where they
   * are, with their sequence numbers, dependencies and clocks, so feeds stay gap-free and
   * causality intact; only the bytes change, which is why the caller (the engine, which knows
   * the type) supplies them: the delta without the expired value, say. All of it atomically.
   *
   * <p>A purge is never undone: a snapshot folded from what was read before it is refused by
   * {@link #saveSnapshotUnlessPurged}. A purged record differs from the original: a peer that
   * appends the original again is refused ("stored with other content"), so the engine must
   * purge before it syncs the value.
   *
   * <p>The default cannot purge and throws {@link UnsupportedOperationException}.
   *
   * @return how many payloads were replaced, the snapshot's state counting as one
   */
  default int purge(String object, UnaryOperator<byte[]> rewrite) {
    throw new UnsupportedOperationException(getClass().getName() + " cannot purge");
  }

  /**
   * Purges each of {@code objects} as {@link #purge(String, UnaryOperator)} does, as one step: a
   * store that rewrites its file to drop earlier versions of its rows (H2) does so once for all of
   * them, not once per object. The default purges them one by one.
   *
   * @return how many payloads were replaced, each object's state in the snapshot counting as one
   */
  default int purge(Collection<String> objects, UnaryOperator<byte[]> rewrite) {
    int changed = 0;
    for (String object : objects) {
      changed += purge(object, rewrite);
    }
    return changed;
  }

  /**
   * How many {@link #purge} calls changed this store since it was opened: it only grows, and
   * {@link #saveSnapshotUnlessPurged} compares against it. The default, for a store that never
   * purges, is always 0.
   */
  default long purges() {
    return 0;
  }

  /**
   * Replaces the snapshot by one fetched from a peer, atomically: unlike {@link #saveSnapshot} it
   * may cover records this store never held. The store's vector becomes its vector merged with
   * the snapshot's, and the records the snapshot covers are dropped; the log after it stays.
   *
   * <p>The default takes only snapshots within the records held, as {@link #saveSnapshot} does; a
   * store that can take more overrides it.
   *
   * @throws IllegalArgumentException if the snapshot is older than the one held
   */
  default void installSnapshot(Snapshot snapshot) {
    saveSnapshot(snapshot);
  }

  /**
   * The length of the snapshot's {@link SnapshotCodec encoding}, as {@link #snapshotChunk}
   * serves it. The default encodes the snapshot; a store that keeps the bytes overrides it.
   */
  default long snapshotSize() {
    return SnapshotCodec.encode(snapshot()).length;
  }

  /** The SHA-256 of the snapshot's encoding: what a receiver checks the whole against. */
  default byte[] snapshotHash() {
    return SnapshotCodec.sha256(SnapshotCodec.encode(snapshot()));
  }

  /**
   * Up to {@code max} bytes of the snapshot's encoding from {@code offset}; empty at the end.
   *
   * @throws IllegalArgumentException if {@code offset} is outside {@code 0..snapshotSize()}
   */
  default byte[] snapshotChunk(long offset, int max) {
    byte[] all = SnapshotCodec.encode(snapshot());
    if (offset < 0 || offset > all.length || max < 0) {
      throw new IllegalArgumentException("offset " + offset + " outside the snapshot's "
          + all.length + " bytes, or max " + max + " < 0");
    }
    return java.util.Arrays.copyOfRange(all, (int) offset,
        (int) Math.min(all.length, offset + max));
  }

  /**
   * The snapshot transfer this replica had under way when it stopped, if the store kept one. The
   * default keeps none: a restarted replica then fetches a snapshot from its start again.
   */
  default Optional<PartialSnapshot> partialSnapshot() {
    return Optional.empty();
  }

  /**
   * Adds a verified chunk to the transfer under way. A chunk at offset 0 with another
   * {@code offer} than the one held starts a new transfer; other chunks must continue the held
   * one exactly where its verified bytes end, or the call does nothing.
   */
  default void appendPartialSnapshot(byte[] offer, long offset, byte[] chunk) {}

  /** Forgets the transfer under way: it completed, or its snapshot is no longer wanted. */
  default void clearPartialSnapshot() {}

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
