package io.tandem.replication;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication's snapshot-transfer scenarios ({@link SnapshotTransferTest}) with every replica on
 * an H2 file: a new device catches up from a snapshot it never held the records of, plus the
 * tail; a peer forgotten while away gets a snapshot and no removal comes back; a transfer cut off
 * resumes after the fetching replica restarts, from the chunks its file kept; a lossy link
 * verifies every chunk once. In the replication package only to reach its test helpers.
 */
class H2SnapshotTransferTest {

  @TempDir
  Path tmp;

  @Test
  void newDeviceOnH2CatchesUpFromSnapshotPlusTailWhileOthersWrite() {
    try (H2ClusterStores stores = new H2ClusterStores(tmp, false)) {
      SnapshotTransferTest.newDeviceCatchesUpFromSnapshotPlusTailWhileOthersWrite(stores);
    }
  }

  @Test
  void peerOnH2BackAfterForgetAfterGetsSnapshotAndRemovalsDoNotResurrect() {
    try (H2ClusterStores stores = new H2ClusterStores(tmp, false)) {
      SnapshotTransferTest.peerBackAfterForgetAfterGetsSnapshotAndRemovalsDoNotResurrect(stores);
    }
  }

  @Test
  void interruptedTransferResumesAfterTheH2ReplicaRestartsFromTheChunksItsFileKept() {
    try (H2ClusterStores stores = new H2ClusterStores(tmp, false)) {
      SnapshotTransferTest.interruptedTransferResumesFromTheLastVerifiedChunkEvenAcrossARestart(
          stores);
    }
  }

  @Test
  void transferToAnH2ReplicaOverALossyLinkVerifiesEveryChunkExactlyOnce() {
    try (H2ClusterStores stores = new H2ClusterStores(tmp, false)) {
      SnapshotTransferTest.transferOverALossyLinkVerifiesEveryChunkExactlyOnce(stores);
    }
  }
}
