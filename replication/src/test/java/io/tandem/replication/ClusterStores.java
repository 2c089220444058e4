package io.tandem.replication;

import io.tandem.replication.memory.InMemoryReplicaStore;
import io.tandem.replication.spi.ReplicaStore;

/**
 * Where a {@link SimCluster}'s replicas keep their records: in memory here; storage-h2's tests
 * put them in H2 files, to run the same convergence property on real stores.
 */
interface ClusterStores {

  /** A new, empty store for replica {@code i}. */
  ReplicaStore create(int i);

  /** Replica {@code i}'s store again after a restart; {@code closed} was closed with it. */
  ReplicaStore reopen(int i, ReplicaStore closed);

  /**
   * An empty store for replica {@code i} in place of {@code closed}, whose data is gone for
   * good, as after a wipe; {@code closed} was closed with its replica. Stores that cannot be
   * wiped throw.
   */
  default ReplicaStore wiped(int i, ReplicaStore closed) {
    throw new UnsupportedOperationException("these stores cannot be wiped");
  }

  /** Whether every schedule should restart replicas (the stores are what is under test). */
  default boolean restartInEverySchedule() {
    return false;
  }

  /** Stores in memory, surviving a restart as a process's files would. */
  ClusterStores IN_MEMORY = new ClusterStores() {
    @Override
    public ReplicaStore create(int i) {
      return new InMemoryReplicaStore();
    }

    @Override
    public ReplicaStore reopen(int i, ReplicaStore closed) {
      return ((InMemoryReplicaStore) closed).reopen();
    }

    @Override
    public ReplicaStore wiped(int i, ReplicaStore closed) {
      return new InMemoryReplicaStore();
    }
  };
}
