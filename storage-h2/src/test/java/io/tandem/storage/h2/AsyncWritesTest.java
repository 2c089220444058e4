package io.tandem.storage.h2;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.GCounter;
import io.tandem.crdt.ReplicaId;
import io.tandem.replication.Change;
import io.tandem.replication.Replica;
import io.tandem.replication.Write;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.spi.ForwardingReplicaStore;
import io.tandem.replication.spi.PendingAppend;
import io.tandem.replication.spi.ReplicaStore;
import io.tandem.replication.spi.StoreException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Replica#updateAsync} on an H2 file: one thread keeps many writes in flight, no thread
 * waits on the store, and the writes still share group commits, complete in dot order once
 * durable and visible, and fail together from the first one the store fails.
 */
class AsyncWritesTest {

  private static final ReplicaId PHONE = ReplicaId.of(0xa5c);
  private static final int WRITES = 2_000;

  @TempDir
  Path tmp;

  @Test
  void writesInFlightShareCommitsAndCompleteInDotOrderOnceDurableAndVisible() throws Exception {
    Path dir = tmp.resolve("phone");
    List<Long> completed = Collections.synchronizedList(new ArrayList<>());
    List<Change> heard = Collections.synchronizedList(new ArrayList<>());
    List<String> notVisible = Collections.synchronizedList(new ArrayList<>());
    try (H2ReplicaStore store = H2ReplicaStore.open(dir);
        Replica phone = Replica.builder().id(PHONE).store(store).build()) {
      phone.addListener(heard::add);
      List<CompletableFuture<Write>> writes = new ArrayList<>();
      for (int i = 0; i < WRITES; i++) {
        writes.add(phone.updateAsync("likes", GCounter.empty(),
            (c, w) -> c.increment(w.replica(), 1)).whenComplete((w, t) -> {
              long seq = w.dot().counter();
              completed.add(seq);
              // Visible to reads and already heard by listeners when the caller hears.
              if (phone.vector().get(PHONE) < seq || heard.size() < seq) {
                notVisible.add("write " + seq);
              }
            }));
      }
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      assertThat(notVisible).isEmpty();
      assertThat(store.groupCommits()).as("commits of %d writes", WRITES).isLessThan(WRITES / 4);
      assertThat(phone.get("likes", GCounter.empty()).value()).isEqualTo(WRITES);
    }
    List<Long> inOrder = LongStream.rangeClosed(1, WRITES).boxed().toList();
    assertThat(completed).containsExactlyElementsOf(inOrder);
    assertThat(heard).extracting(Change::seq).containsExactlyElementsOf(inOrder);
    try (Replica again = Replica.builder().store(H2ReplicaStore.open(dir)).build()) {
      assertThat(again.vector().get(PHONE)).isEqualTo(WRITES);
      assertThat(again.get("likes", GCounter.empty()).value()).isEqualTo(WRITES);
    }
  }

  @Test
  void aWriteCompletesWithoutTheReplicaLockHeld() throws Exception {
    // The store's durability is held back until the callback below is in place, so the
    // completion really runs on the store's side and not at once on this thread.
    CompletableFuture<Void> gate = new CompletableFuture<>();
    ReplicaStore gated = new ForwardingReplicaStore(H2ReplicaStore.open(tmp.resolve("p"))) {
      @Override
      public PendingAppend appendQueued(List<DeltaRecord> records) {
        PendingAppend inner = super.appendQueued(records);
        return new PendingAppend() {
          @Override
          public void await() {
            inner.await();
            gate.join();
          }

          @Override
          public CompletionStage<Void> whenDurable() {
            return inner.whenDurable().thenCombine(gate, (durable, open) -> null);
          }
        };
      }
    };
    try (Replica phone = Replica.builder().id(PHONE).store(gated).build()) {
      // Another thread reads the replica while the completion runs: under the replica's lock it
      // would wait for the completion, which waits for it.
      CompletableFuture<Long> readElsewhere = phone.updateAsync("likes", GCounter.empty(),
          (c, w) -> c.increment(w.replica(), 1)).thenApply(w -> CompletableFuture
              .supplyAsync(() -> phone.vector().get(PHONE)).orTimeout(30, TimeUnit.SECONDS)
              .join());
      assertThat(readElsewhere).as("completed before the store made it durable").isNotDone();
      CompletableFuture.runAsync(() -> gate.complete(null));
      assertThat(readElsewhere.get(60, TimeUnit.SECONDS)).isEqualTo(1);
    }
  }

  @Test
  void aFailedAppendFailsItAndEveryLaterWriteInFlightAndTheReplicaRefusesMore() throws Exception {
    Path dir = tmp.resolve("phone");
    int failing = 50;
    int total = 4 * failing;
    List<Change> heard = Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<Write>> writes = new ArrayList<>();
    try (FailingStore store = new FailingStore(H2ReplicaStore.open(dir), failing);
        Replica phone = Replica.builder().id(PHONE).store(store).build()) {
      phone.addListener(heard::add);
      for (int i = 0; i < total; i++) {
        writes.add(phone.updateAsync("likes", GCounter.empty(),
            (c, w) -> c.increment(w.replica(), 1)));
      }
      for (CompletableFuture<Write> w : writes) {
        w.handle((ok, failed) -> null).get(60, TimeUnit.SECONDS); // settled, either way
      }
      assertThat(phone.vector().get(PHONE)).isEqualTo(failing - 1);
      assertThat(phone.updateAsync("likes", GCounter.empty(),
          (c, w) -> c.increment(w.replica(), 1)))
          .failsWithin(java.time.Duration.ofSeconds(10)).withThrowableOfType(Exception.class)
          .withRootCauseInstanceOf(StoreException.class)
          .withMessageContaining("refuses writes");
    }
    for (int i = 0; i < total; i++) {
      CompletableFuture<Write> w = writes.get(i);
      if (i < failing - 1) {
        assertThat(w.join().dot().counter()).isEqualTo(i + 1);
      } else {
        Throwable why = cause(w);
        assertThat(why).isInstanceOf(StoreException.class);
        if (i == failing - 1) {
          assertThat(why).hasMessageContaining("disk full");
        }
      }
    }
    List<Long> kept = LongStream.range(1, failing).boxed().toList();
    assertThat(heard).extracting(Change::seq).containsExactlyElementsOf(kept);
    try (Replica again = Replica.builder().store(H2ReplicaStore.open(dir)).build()) {
      assertThat(again.vector().get(PHONE)).isEqualTo(failing - 1);
      // Dot 50 was never seen by anyone, so giving it to the next write reissues nothing.
      Write next = again.updateAsync("likes", GCounter.empty(),
          (c, w) -> c.increment(w.replica(), 1)).get(60, TimeUnit.SECONDS);
      assertThat(next.dot().counter()).isEqualTo(failing);
    }
  }

  private static Throwable cause(CompletableFuture<Write> w) {
    try {
      w.join();
      throw new AssertionError("write " + w + " did not fail");
    } catch (CompletionException e) {
      return e.getCause();
    }
  }
}
