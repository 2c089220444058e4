package io.tandem.storage.h2;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.GCounter;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.replication.Replica;
import io.tandem.replication.ReplicaConfig;
import io.tandem.replication.Write;
import io.tandem.replication.memory.InMemoryNetwork;
import io.tandem.replication.spi.Snapshot;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A replica on an H2 file: closed and reopened, it is the same replica (automerge#579). */
class ReplicaOnH2Test {

  private static final ReplicaId PHONE = ReplicaId.of(0xf00e);
  private static final ReplicaId PC = ReplicaId.of(0x0bc0);

  @TempDir
  Path tmp;

  @Test
  void replicaReopenedFromItsFileHasTheSameObjectsVectorAndNextDot() {
    Path dir = tmp.resolve("phone");
    VersionVector vector;
    try (Replica phone = Replica.builder().id(PHONE).store(H2ReplicaStore.open(dir)).build()) {
      write(phone, 0, 30);
      vector = phone.vector();
    }

    try (Replica again = Replica.builder().store(H2ReplicaStore.open(dir)).build()) {
      assertThat(again.id()).isEqualTo(PHONE);
      assertThat(again.vector()).isEqualTo(vector);
      assertSameState(again, 30);
      // The next write takes the next dot: none is issued twice.
      Write next = again.update("likes", GCounter.empty(), (c, w) -> c.increment(w.replica(), 1));
      assertThat(next.dot().counter()).isEqualTo(vector.get(PHONE) + 1);
    }
  }

  @Test
  void replicaReopensFromASnapshotPlusTheTailOfItsLog() {
    Path dir = tmp.resolve("phone");
    VersionVector vector;
    // Compaction off: this test folds by hand at a chosen point, which the engine's own
    // compaction (where turned on) would race and make moot.
    try (H2ReplicaStore store = H2ReplicaStore.open(dir);
        Replica phone = Replica.builder().id(PHONE).store(store).config(ReplicaConfig.DEFAULT
            .withCompaction(0, ReplicaConfig.DEFAULT.forgetAfterMillis())).build()) {
      write(phone, 0, 20);
      // Compaction as the engine will do it: fold everything so far into the snapshot.
      store.saveSnapshot(new Snapshot(phone.vector(), Map.of(
          "tags", BinaryCodec.encode(phone.get("tags", OrSet.<String>empty())),
          "title", BinaryCodec.encode(phone.get("title", LwwRegister.<String>empty())),
          "likes", BinaryCodec.encode(phone.get("likes", GCounter.empty())))));
      write(phone, 20, 35);
      vector = phone.vector();
    }

    try (Replica again = Replica.builder().store(H2ReplicaStore.open(dir)).build()) {
      assertThat(again.vector()).isEqualTo(vector);
      assertSameState(again, 35);
    }
  }

  @Test
  void twoReplicasSyncedOverTheNetworkReopenConvergedWithTheirAcknowledgements()
      throws Exception {
    Path phoneDir = tmp.resolve("phone");
    Path pcDir = tmp.resolve("pc");
    try (InMemoryNetwork net = InMemoryNetwork.create()) {
      Replica phone = Replica.builder().id(PHONE).store(H2ReplicaStore.open(phoneDir))
          .transport(net.endpoint("phone")).build();
      Replica pc = Replica.builder().id(PC).store(H2ReplicaStore.open(pcDir))
          .transport(net.endpoint("pc")).build();
      net.connect("phone", "pc");
      write(phone, 0, 10);
      Write last = phone.update("tags", OrSet.<String>empty(), (s, w) -> s.add(w.replica(), "z"));
      // The receipt completes once the PC has stored the write (and every one before it).
      last.on(PC).get(30, TimeUnit.SECONDS);
      phone.close();
      pc.close();
    }

    try (H2ReplicaStore phoneStore = H2ReplicaStore.open(phoneDir);
        H2ReplicaStore pcStore = H2ReplicaStore.open(pcDir)) {
      assertThat(pcStore.vector()).isEqualTo(phoneStore.vector());
      assertThat(phoneStore.peerVectors()).containsKey(PC);
      try (Replica phone = Replica.builder().store(phoneStore).build();
          Replica pc = Replica.builder().store(pcStore).build()) {
        assertThat(pc.get("tags", OrSet.<String>empty()))
            .isEqualTo(phone.get("tags", OrSet.<String>empty()));
        assertThat(pc.get("title", LwwRegister.<String>empty()).value()).isEqualTo("title 9");
        assertThat(pc.get("tags", OrSet.<String>empty()).elements()).contains("z");
      }
    }
  }

  /** Writes i = from..to-1 to three objects of three types. */
  private static void write(Replica r, int from, int to) {
    for (int i = from; i < to; i++) {
      String tag = "tag " + i;
      String title = "title " + i;
      r.update("tags", OrSet.<String>empty(), (s, w) -> s.add(w.replica(), tag));
      r.update("title", LwwRegister.<String>empty(), (t, w) -> t.assign(w.hlc(), title));
      r.update("likes", GCounter.empty(), (c, w) -> c.increment(w.replica(), 1));
    }
  }

  private static void assertSameState(Replica r, int writes) {
    assertThat(r.objects()).isEqualTo(Set.of("likes", "tags", "title"));
    assertThat(r.get("tags", OrSet.<String>empty()).elements()).hasSize(writes)
        .contains("tag 0", "tag " + (writes - 1));
    assertThat(r.get("title", LwwRegister.<String>empty()).value())
        .isEqualTo("title " + (writes - 1));
    assertThat(r.get("likes", GCounter.empty()).value()).isEqualTo(writes);
  }
}
