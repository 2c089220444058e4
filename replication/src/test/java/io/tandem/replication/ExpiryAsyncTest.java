package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.LwwRegister;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.memory.InMemoryReplicaStore;
import io.tandem.replication.spi.ForwardingReplicaStore;
import io.tandem.replication.spi.PendingAppend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@link Replica#updateAsync(String, io.tandem.crdt.Crdt, Mutation, Duration)}: writes with a
 * time to live queued before the first is durable, on a store that holds every append until the
 * test releases it.
 */
class ExpiryAsyncTest {

  private static final long NOW = 1_700_000_000_000L;

  @Test
  void queuedWritesWithALongerTtlNeverMoveTheDeadlineLater() throws Exception {
    GatedStore store = new GatedStore();
    AtomicLong clock = new AtomicLong(NOW);
    try (Replica phone = Replica.builder().store(store).clock(clock::get).build()) {
      CompletableFuture<Write> first = put(phone, "secret", "one", Duration.ofMinutes(1));
      clock.addAndGet(1_000);
      CompletableFuture<Write> second = put(phone, "secret", "two", Duration.ofMinutes(2));
      assertThat(first).as("held by the store").isNotDone();

      store.release();
      second.get(10, TimeUnit.SECONDS);
      first.get(10, TimeUnit.SECONDS);

      assertThat(phone.vector().get(phone.id()))
          .as("one deadline record, then the two values: the second deadline was later")
          .isEqualTo(3);
      assertThat(phone.expiresAt("secret")).hasValue(NOW + 60_000);
      assertThat(Notes.get(phone, "secret", "text")).isEqualTo("two");
    }
  }

  @Test
  void aShorterTtlQueuedBehindALongerOneLowersTheDeadline() throws Exception {
    GatedStore store = new GatedStore();
    try (Replica phone = Replica.builder().store(store).clock(() -> NOW).build()) {
      CompletableFuture<Write> first = put(phone, "secret", "one", Duration.ofMinutes(5));
      CompletableFuture<Write> second = put(phone, "secret", "two", Duration.ofMinutes(1));
      store.release();
      CompletableFuture.allOf(first, second).get(10, TimeUnit.SECONDS);

      assertThat(phone.vector().get(phone.id())).as("two deadlines, two values").isEqualTo(4);
      assertThat(phone.expiresAt("secret")).hasValue(NOW + 60_000);
    }
  }

  private static CompletableFuture<Write> put(Replica r, String object, String text,
      Duration ttl) {
    return r.updateAsync(object, Notes.map(), (m, w) -> m.update(w.replica(), "text",
        LwwRegister.empty(), v -> v.assign(w.hlc(), text)), ttl);
  }

  /** Appends are written at once and durable only once released, in the order queued. */
  private static final class GatedStore extends ForwardingReplicaStore {
    private final List<CompletableFuture<Void>> held = new ArrayList<>();
    private boolean released;

    GatedStore() {
      super(new InMemoryReplicaStore());
    }

    @Override
    public PendingAppend appendQueued(List<DeltaRecord> records) {
      PendingAppend written = super.appendQueued(records);
      CompletableFuture<Void> durable = new CompletableFuture<>();
      synchronized (this) {
        if (released) {
          durable.complete(null);
        } else {
          held.add(durable);
        }
      }
      return new PendingAppend() {
        @Override
        public void await() {
          written.await();
          durable.join();
        }

        @Override
        public CompletionStage<Void> whenDurable() {
          return durable.thenRun(written::await);
        }
      };
    }

    void release() {
      List<CompletableFuture<Void>> now;
      synchronized (this) {
        released = true;
        now = List.copyOf(held);
        held.clear();
      }
      now.forEach(f -> f.complete(null)); // in the order queued
    }
  }
}
