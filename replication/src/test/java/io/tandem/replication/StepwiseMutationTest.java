package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.Step;
import io.tandem.replication.memory.InMemoryReplicaStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A mutation that hands the replica its step (the delta and the value merged with it, made in
 * one walk) writes what the same mutation returning its delta writes: the same records, byte for
 * byte, and the same values, also for writes queued behind each other.
 */
class StepwiseMutationTest {

  private static final ReplicaId PHONE = ReplicaId.of(0x9a);

  /** One device's writes, each as a delta or as a step: adds, re-adds, puts, overwrites. */
  private static void write(Replica r, boolean stepwise, boolean async, AtomicLong wall) {
    List<CompletableFuture<Write>> pending = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      wall.addAndGet(3);
      String e = "e" + i % 25; // the last 15 adds find their element there, with its dot
      String k = "k" + i % 10;
      String v = "v" + i;
      Mutation<OrSet<String>> add = stepwise
          ? Mutation.stepwise((s, w) -> s.addStep(w.replica(), e))
          : (s, w) -> s.add(w.replica(), e);
      Mutation<OrMap<String, LwwRegister<String>>> put = stepwise
          ? Mutation.stepwise((m, w) -> m.updateStep(w.replica(), k, LwwRegister.<String>empty(),
              t -> t.assign(w.hlc(), v)))
          : (m, w) -> m.update(w.replica(), k, LwwRegister.<String>empty(),
              t -> t.assign(w.hlc(), v));
      if (async) {
        pending.add(r.updateAsync("tags", OrSet.<String>empty(), add));
        pending.add(r.updateAsync("fields", OrMap.<String, LwwRegister<String>>empty(), put));
      } else {
        r.update("tags", OrSet.<String>empty(), add);
        r.update("fields", OrMap.<String, LwwRegister<String>>empty(), put);
      }
    }
    pending.forEach(CompletableFuture::join);
  }

  private static void sameAsDeltas(boolean async) {
    InMemoryReplicaStore byDelta = new InMemoryReplicaStore();
    InMemoryReplicaStore byStep = new InMemoryReplicaStore();
    AtomicLong wall1 = new AtomicLong(1_000_000);
    AtomicLong wall2 = new AtomicLong(1_000_000);
    try (Replica a = Replica.builder().id(PHONE).store(byDelta).clock(wall1::get).build();
        Replica b = Replica.builder().id(PHONE).store(byStep).clock(wall2::get).build()) {
      write(a, false, async, wall1);
      write(b, true, async, wall2);
      assertThat(b.vector()).isEqualTo(a.vector());
      assertThat(b.get("tags", OrSet.<String>empty()))
          .isEqualTo(a.get("tags", OrSet.<String>empty()));
      assertThat(b.get("fields", OrMap.<String, LwwRegister<String>>empty()))
          .isEqualTo(a.get("fields", OrMap.<String, LwwRegister<String>>empty()));
      assertThat(b.get("tags", OrSet.<String>empty()).size()).isEqualTo(25);
      assertThat(byStep.readFeed(PHONE, 1, 1000)).hasSize(80)
          .isEqualTo(byDelta.readFeed(PHONE, 1, 1000));
    }
  }

  @Test
  void stepwiseWritesStoreTheRecordsDeltaWritesStore() {
    sameAsDeltas(false);
  }

  @Test
  void queuedStepwiseWritesStoreTheRecordsQueuedDeltaWritesStore() {
    sameAsDeltas(true);
  }

  @Test
  void theReplicaTakesTheMutationsStepNotItsDeltaAlone() {
    Mutation<OrSet<String>> stepOnly = new Mutation<>() {
      @Override
      public OrSet<String> apply(OrSet<String> current, WriteContext write) {
        throw new AssertionError("the replica asked for the delta alone");
      }

      @Override
      public Step<OrSet<String>> step(OrSet<String> current, WriteContext write) {
        return current.addStep(write.replica(), "x");
      }
    };
    try (Replica phone = Replica.builder().id(PHONE).build()) {
      assertThat(phone.update("tags", OrSet.<String>empty(), stepOnly).dot().counter())
          .isEqualTo(1);
      assertThat(phone.updateAsync("tags", OrSet.<String>empty(), stepOnly).join().dot()
          .counter()).isEqualTo(2);
      assertThat(phone.get("tags", OrSet.<String>empty()).elements()).containsExactly("x");
    }
  }
}
