package io.tandem.storage.h2;

import io.tandem.replication.spi.ReplicaStore;
import io.tandem.replication.spi.ReplicaStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on a real file, at both durability levels. */
class H2ReplicaStoreTest extends ReplicaStoreContract {

  @TempDir
  Path dir;

  Durability durability() {
    return Durability.PROCESS_CRASH_SAFE;
  }

  @Override
  protected ReplicaStore open() {
    return H2ReplicaStore.open(dir.resolve("store"), durability());
  }

  @Override
  protected ReplicaStore reopen(ReplicaStore closed) {
    return H2ReplicaStore.open(((H2ReplicaStore) closed).directory(), durability());
  }

  /** The same contract with an fsync per group commit. */
  @Nested
  class PowerLossSafe extends ReplicaStoreContract {

    @Override
    protected ReplicaStore open() {
      return H2ReplicaStore.open(dir.resolve("synced"), Durability.POWER_LOSS_SAFE);
    }

    @Override
    protected ReplicaStore reopen(ReplicaStore closed) {
      return H2ReplicaStore.open(((H2ReplicaStore) closed).directory(),
          Durability.POWER_LOSS_SAFE);
    }
  }
}
