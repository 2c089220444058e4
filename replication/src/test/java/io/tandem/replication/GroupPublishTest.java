package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.GCounter;
import io.tandem.crdt.ReplicaId;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.memory.InMemoryNetwork;
import io.tandem.replication.memory.InMemoryReplicaStore;
import io.tandem.replication.spi.ForwardingReplicaStore;
import io.tandem.replication.spi.PendingAppend;
import io.tandem.replication.spi.ReplicaStore;
import io.tandem.replication.spi.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Appends the store makes durable in one group commit are settled as one: when the first of them
 * completes, the replica publishes (own writes) or applies (received records) every append of
 * the group the store says is durable, so listeners, callers and peers hear of the group at
 * once, in one frame per peer, instead of one publication per completion. Nothing is published
 * or applied before the store says it is durable.
 */
@Timeout(60)
class GroupPublishTest {

  private static final ReplicaId WRITER = ReplicaId.of(0xa1);
  private static final ReplicaId RECEIVER = ReplicaId.of(0xb2);
  private static final int WRITES = 5;

  @Test
  void ownWritesCommittedInOneGroupArePublishedTogether() throws Exception {
    GroupStore store = new GroupStore(new InMemoryReplicaStore());
    try (Replica phone = Replica.builder().id(WRITER).store(store).build()) {
      publishedTogether(phone, store);
    }
  }

  private static void publishedTogether(Replica phone, GroupStore store) throws Exception {
    List<CompletableFuture<Write>> writes = new ArrayList<>();
    for (int i = 0; i < WRITES; i++) {
      writes.add(phone.updateAsync("likes", GCounter.empty(),
          (c, w) -> c.increment(w.replica(), 1)));
    }
    assertThat(phone.vector().get(WRITER)).as("nothing published before durable").isZero();
    CompletableFuture<Long> seenByFirst = writes.get(0).thenApply(w -> phone.vector().get(WRITER));

    store.commitGroup();
    assertThat(seenByFirst.get(20, TimeUnit.SECONDS)).as("published when the first completed")
        .isEqualTo(WRITES);
    for (CompletableFuture<Write> w : writes) {
      w.get(20, TimeUnit.SECONDS);
    }
    assertThat(phone.get("likes", GCounter.empty()).value()).isEqualTo(WRITES);
  }

  @Test
  void receivedBatchesCommittedInOneGroupAreAppliedTogether() throws Exception {
    GroupStore store = new GroupStore(new InMemoryReplicaStore());
    try (InMemoryNetwork net = InMemoryNetwork.create();
        Replica writer = Replica.builder().id(WRITER).store(new InMemoryReplicaStore())
            .transport(net.endpoint("writer")).build();
        Replica receiver = Replica.builder().id(RECEIVER).store(store)
            .transport(Pipelined.of(net.endpoint("receiver"))).build()) {
      appliedTogether(net, writer, receiver, store);
    }
  }

  private static void appliedTogether(InMemoryNetwork net, Replica writer, Replica receiver,
      GroupStore store) throws Exception {
    CompletableFuture<Long> seenByFirst = new CompletableFuture<>();
    receiver.addListener(c -> seenByFirst.complete(receiver.vector().get(WRITER)));
    net.connect("writer", "receiver");

    writer.update("likes", GCounter.empty(), (c, x) -> c.increment(x.replica(), 1));
    assertThat(store.queued(1)).as("the first batch queued").isTrue();
    Write second = writer.update("likes", GCounter.empty(), (c, x) -> c.increment(x.replica(), 1));
    assertThat(store.queued(2)).as("the second batch queued").isTrue();
    assertThat(receiver.vector().get(WRITER)).as("nothing applied before durable").isZero();

    store.commitGroup();
    assertThat(seenByFirst.get(20, TimeUnit.SECONDS)).as("applied when the first completed")
        .isEqualTo(2);
    second.on(RECEIVER).get(20, TimeUnit.SECONDS);
  }

  /**
   * A store that holds every queued append until {@link #commitGroup}, then makes them all
   * durable at once, as one group commit, and completes their stages one by one, in queue
   * order, on a thread of its own, as a store committing in groups does.
   */
  private static final class GroupStore extends ForwardingReplicaStore {
    private final CountDownLatch gate = new CountDownLatch(1);
    /** Appends queued so far; guarded by this store's monitor, which is told of each. */
    private int queued;
    private final ExecutorService completer = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "group-store-complete");
      t.setDaemon(true);
      return t;
    });

    GroupStore(ReplicaStore store) {
      super(store);
    }

    void commitGroup() {
      gate.countDown();
    }

    /** Waits until {@code n} appends are queued; false after 20 s. */
    synchronized boolean queued(int n) throws InterruptedException {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (queued < n) {
        long left = until - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return true;
    }

    @Override
    public PendingAppend appendQueued(List<DeltaRecord> records) {
      PendingAppend written = super.appendQueued(records);
      synchronized (this) {
        queued++;
        notifyAll();
      }
      Runnable held = () -> {
        written.await();
        try {
          gate.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StoreException("interrupted", e);
        }
      };
      return new PendingAppend() {
        @Override
        public void await() {
          held.run();
        }

        @Override
        public CompletionStage<Void> whenDurable() {
          return CompletableFuture.runAsync(held, completer);
        }

        @Override
        public boolean durable() {
          return gate.getCount() == 0;
        }
      };
    }
  }
}
