package io.tandem.replication.memory;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.replication.spi.ReplicaStore;
import io.tandem.replication.spi.ReplicaStoreContract;
import io.tandem.replication.spi.StoreException;
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
}
