package io.tandem.storage.h2;

import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.spi.ForwardingReplicaStore;
import io.tandem.replication.spi.PendingAppend;
import io.tandem.replication.spi.StoreException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An H2 store whose {@code n}-th queued append fails as a full disk would: its records are not
 * stored, so the store refuses every later record of that feed as a gap.
 */
final class FailingStore extends ForwardingReplicaStore {

  private final AtomicInteger queued = new AtomicInteger();
  private final int failing;

  FailingStore(H2ReplicaStore store, int failing) {
    super(store);
    this.failing = failing;
  }

  @Override
  public PendingAppend appendQueued(List<DeltaRecord> records) {
    if (queued.incrementAndGet() == failing) {
      return () -> {
        throw new StoreException("disk full (append " + failing + " of this test)");
      };
    }
    return super.appendQueued(records);
  }
}
