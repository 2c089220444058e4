package io.tandem.replication;

import io.tandem.replication.spi.ReplicaStore;
import io.tandem.storage.h2.H2ReplicaStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One H2 file per simulated replica; a restart closes it with the replica and opens it again, as
 * a restarted process would. In the replication package only to reach its test helpers.
 */
final class H2ClusterStores implements ClusterStores, AutoCloseable {

  private final Path dir;
  private final boolean restartEverySchedule;
  final List<H2ReplicaStore> opened = new ArrayList<>();

  H2ClusterStores(Path dir, boolean restartEverySchedule) {
    this.dir = dir;
    this.restartEverySchedule = restartEverySchedule;
  }

  @Override
  public ReplicaStore create(int i) {
    return open(i);
  }

  @Override
  public ReplicaStore reopen(int i, ReplicaStore closed) {
    closed.close(); // the replica closed it already; closing twice does nothing
    return open(i);
  }

  @Override
  public boolean restartInEverySchedule() {
    return restartEverySchedule;
  }

  private H2ReplicaStore open(int i) {
    H2ReplicaStore s = H2ReplicaStore.open(dir.resolve("r" + i));
    opened.add(s);
    return s;
  }

  @Override
  public void close() {
    opened.forEach(H2ReplicaStore::close);
  }
}
