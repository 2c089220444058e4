package io.tandem.replication;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import java.util.Set;

/** Told of every delta the replica applies, local or remote, after it is stored. */
@FunctionalInterface
public interface ChangeListener {

  void changed(Change change);

  /**
   * The replica installed a snapshot fetched from a peer: {@code objects} changed at once, by
   * every delta between {@code before} and {@code after}, none of which {@link #changed} reports.
   */
  default void snapshotInstalled(VersionVector before, VersionVector after,
      Set<String> objects) {}

  /**
   * {@code object}, written with a time to live ({@link Replica#update(String, io.tandem.crdt.Crdt,
   * Mutation, java.time.Duration)}), reached its deadline and left this replica's state; its
   * payloads are being purged from the store. Told once per object, after the changes published
   * before it, and only if this replica held a value of it.
   */
  default void expired(String object) {}

  /**
   * The replica found its id reused (its store was restored from a backup, or copied to another
   * device) and writes as {@code current} from now on; {@code retired} is never used again, and
   * its feed is kept as a third replica's. An app that shows or keeps the replica's id updates
   * it. Told after the changes published before the move.
   */
  default void moved(ReplicaId retired, ReplicaId current) {}
}
