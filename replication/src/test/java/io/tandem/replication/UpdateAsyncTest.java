package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.crdt.GCounter;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@link Replica#updateAsync} on a store that appends at once (the SPI's default): the same
 * write as {@link Replica#update}, told through a future; caller errors are thrown at once. A
 * store's failure, and writes on a store that commits on its own threads, are proven on H2 in
 * storage-h2's {@code AsyncWritesTest}.
 */
class UpdateAsyncTest {

  private static final ReplicaId PHONE = ReplicaId.of(0x9a);

  @Test
  void asyncWritesTakeConsecutiveDotsAndSeeTheWritesBeforeThem() {
    try (Replica phone = Replica.builder().id(PHONE).build()) {
      List<CompletableFuture<Write>> writes = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        writes.add(phone.updateAsync("likes", GCounter.empty(),
            (c, w) -> c.increment(w.replica(), 1)));
      }
      for (int i = 0; i < 10; i++) {
        assertThat(writes.get(i)).isCompleted();
        assertThat(writes.get(i).join().dot().counter()).isEqualTo(i + 1);
      }
      assertThat(phone.get("likes", GCounter.empty()).value()).isEqualTo(10);
    }
  }

  @Test
  void aMutationThatChangesNothingCompletesAtOnceWithoutADot() {
    try (Replica phone = Replica.builder().id(PHONE).build()) {
      phone.update("tags", OrSet.<String>empty(), (s, w) -> s.add(w.replica(), "x"));
      CompletableFuture<Write> same = phone.updateAsync("tags", OrSet.<String>empty(),
          (s, w) -> s.remove("absent"));
      assertThat(same).isCompleted();
      assertThat(same.join().changed()).isFalse();
      assertThat(phone.vector().get(PHONE)).isEqualTo(1);
    }
  }

  @Test
  void aWrongTypeOrAClosedReplicaIsThrownAtOnce() {
    Replica phone = Replica.builder().id(PHONE).build();
    phone.update("likes", GCounter.empty(), (c, w) -> c.increment(w.replica(), 1));
    assertThatThrownBy(() -> phone.updateAsync("likes", OrSet.<String>empty(),
        (s, w) -> s.add(w.replica(), "x"))).isInstanceOf(IllegalArgumentException.class);
    phone.close();
    assertThatThrownBy(() -> phone.updateAsync("likes", GCounter.empty(),
        (c, w) -> c.increment(w.replica(), 1))).isInstanceOf(IllegalStateException.class);
  }
}
