package io.tandem.storage.h2;

import static io.tandem.storage.h2.Fixtures.X;
import static io.tandem.storage.h2.Fixtures.Y;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.crdt.VersionVector;
import io.tandem.replication.spi.Snapshot;
import io.tandem.replication.spi.SnapshotCodec;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot is read in chunks by offset and checked by hash, so a transfer that broke off
 * resumes where it stopped (DESIGN requirement 9), and compaction keeps the log gap-free.
 */
class SnapshotTransferTest {

  @TempDir
  Path tmp;

  private static Snapshot big(long upTo) {
    Random random = new Random(upTo);
    Map<String, byte[]> objects = new LinkedHashMap<>();
    for (int i = 0; i < 5; i++) {
      byte[] state = new byte[40_000 + i * 7_001]; // several 64 KiB chunks in all
      random.nextBytes(state);
      objects.put("object-" + i, state);
    }
    return new Snapshot(VersionVector.of(X, upTo), objects);
  }

  @Test
  void chunksReadInAnySizesAddUpToTheHashedSnapshot() throws Exception {
    try (H2ReplicaStore store = H2ReplicaStore.open(tmp.resolve("s"))) {
      store.append(Fixtures.feed(X, 1, 10));
      store.saveSnapshot(big(10));

      for (int max : List.of(1_000, 65_536, 70_000, Integer.MAX_VALUE)) {
        byte[] all = readFrom(store, 0, max);
        assertThat(all).hasSize((int) store.snapshotSize());
        assertThat(MessageDigest.getInstance("SHA-256").digest(all))
            .isEqualTo(store.snapshotHash());
        Snapshot decoded = SnapshotCodec.decode(all);
        assertThat(decoded.vector()).isEqualTo(VersionVector.of(X, 10));
        assertThat(decoded.objects().get("object-3")).isEqualTo(big(10).objects()
            .get("object-3"));
      }
    }
  }

  @Test
  void transferResumesFromItsOffsetAfterTheStoreReopens() throws Exception {
    Path dir = tmp.resolve("s");
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    byte[] hash;
    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      store.append(Fixtures.feed(X, 1, 4));
      store.saveSnapshot(big(4));
      hash = store.snapshotHash();
      received.write(store.snapshotChunk(0, 50_000));
      received.write(store.snapshotChunk(50_000, 50_000));
    } // the connection broke and the device restarted

    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      assertThat(store.snapshotHash()).as("same snapshot, so the transfer may go on")
          .isEqualTo(hash);
      received.write(readFrom(store, received.size(), 30_000));
      assertThat(MessageDigest.getInstance("SHA-256").digest(received.toByteArray()))
          .isEqualTo(hash);
    }
  }

  @Test
  void anOffsetOutsideTheSnapshotIsRefusedAndTheEndIsEmpty() {
    try (H2ReplicaStore store = H2ReplicaStore.open(tmp.resolve("s"))) {
      long size = store.snapshotSize();
      assertThat(size).as("the empty snapshot has bytes too").isPositive();
      assertThat(store.snapshotChunk(size, 100)).isEmpty();
      assertThatThrownBy(() -> store.snapshotChunk(-1, 100))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.snapshotChunk(size + 1, 100))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(SnapshotCodec.decode(store.snapshotChunk(0, 1000)).objects())
          .isEmpty();
    }
  }

  @Test
  void aNewSnapshotChangesTheHashSoAStaleTransferRestarts() {
    try (H2ReplicaStore store = H2ReplicaStore.open(tmp.resolve("s"))) {
      store.append(Fixtures.feed(X, 1, 8));
      store.saveSnapshot(big(4));
      byte[] before = store.snapshotHash();
      store.saveSnapshot(big(8));
      assertThat(store.snapshotHash()).isNotEqualTo(before);
    }
  }

  @Test
  void rowStraddlingTheSnapshotStaysAndServesOnlyWhatTheSnapshotLacks() throws Exception {
    Path dir = tmp.resolve("s");
    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      Fixtures.appendAsRows(store, Fixtures.feed(X, 1, 10)); // one row: 1..10
      for (long s = 1; s <= 6; s++) {
        Fixtures.appendAsRows(store, Fixtures.feed(Y, s, s)); // six rows
      }
      store.saveSnapshot(new Snapshot(VersionVector.of(X, 5).with(Y, 4), Map.of()));

      assertThat(store.readFeed(X, 5, 10)).isEmpty();
      assertThat(store.readFeed(X, 6, 10)).isEqualTo(Fixtures.feed(X, 6, 10));
      assertThat(store.readFeed(Y, 5, 10)).isEqualTo(Fixtures.feed(Y, 5, 6));
    }
    assertThat(Fixtures.count(dir, "SELECT COUNT(*) FROM feeds WHERE origin = " + X.value()))
        .as("the straddling row stays").isEqualTo(1);
    assertThat(Fixtures.count(dir, "SELECT COUNT(*) FROM feeds WHERE origin = " + Y.value()))
        .as("rows wholly covered are gone").isEqualTo(2);

    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      assertThat(store.readFeed(X, 6, 10)).isEqualTo(Fixtures.feed(X, 6, 10));
      assertThat(store.vector()).isEqualTo(VersionVector.of(X, 10).with(Y, 6));
      store.saveSnapshot(new Snapshot(VersionVector.of(X, 10).with(Y, 6), Map.of()));
      assertThat(store.readFeed(X, 6, 10)).isEmpty();
      store.append(Fixtures.feed(X, 11, 12));
      assertThat(store.readFeed(X, 11, 10)).isEqualTo(Fixtures.feed(X, 11, 12));
      assertThat(store.vector()).isEqualTo(VersionVector.of(X, 12).with(Y, 6));
    }
    assertThat(Fixtures.count(dir, "SELECT COUNT(*) FROM feeds")).isEqualTo(1);
  }

  private static byte[] readFrom(H2ReplicaStore store, long offset, int max) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (long at = offset; ; ) {
      byte[] chunk = store.snapshotChunk(at, max);
      if (chunk.length == 0) {
        return out.toByteArray();
      }
      out.writeBytes(chunk);
      at += chunk.length;
    }
  }
}
