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
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Records from a peer are queued in the store and awaited outside the replica's lock: until the
 * store says they are durable, the replica neither shows them, nor tells listeners, nor
 * acknowledges them; a batch the store fails leaves no gap and is taken again when resent.
 * Two replicas on the in-memory network, on real threads; the receiver's store holds durability
 * back until the test lets it go.
 */
@Timeout(120) // a receiver that held its lock through the store's wait would hang the first test
class ReceivedRecordsWaitForDurabilityTest {

  private static final ReplicaId WRITER = ReplicaId.of(0xa1);
  private static final ReplicaId RECEIVER = ReplicaId.of(0xb2);

  private final InMemoryNetwork net = InMemoryNetwork.create();
  private Replica writer;
  private Replica receiver;

  @AfterEach
  void tearDown() {
    if (writer != null) {
      writer.close();
    }
    if (receiver != null) {
      receiver.close();
    }
    net.close();
  }

  @Test
  void receivedRecordIsNeitherVisibleNorAcknowledgedBeforeItIsDurable() throws Exception {
    HeldStore held = new HeldStore(new InMemoryReplicaStore(), 0);
    List<String> heard = new CopyOnWriteArrayList<>();
    BlockingQueue<String> heardOne = new LinkedBlockingQueue<>();
    start(held);
    receiver.addListener(c -> {
      String what = c.origin() + "#" + c.seq() + " durable=" + held.released();
      heard.add(what);
      heardOne.add(what);
    });

    Write w = writer.update("likes", GCounter.empty(), (c, x) -> c.increment(x.replica(), 1));
    assertThat(held.awaiting.await(20, TimeUnit.SECONDS)).as("the receiver awaits durability")
        .isTrue();

    // The receiving thread waits for the store; the replica's lock is free meanwhile.
    assertThat(receiver.vector().get(WRITER)).as("not applied").isZero();
    assertThat(receiver.get("likes", GCounter.empty()).value()).isZero();
    assertThat(heard).isEmpty();
    assertThat(w.acknowledgedBy()).as("not acknowledged").doesNotContain(RECEIVER);

    held.release();
    w.on(RECEIVER).get(20, TimeUnit.SECONDS);
    assertThat(receiver.get("likes", GCounter.empty()).value()).isEqualTo(1);
    // Listeners hear outside the lock, after the ack went: the writer may know first.
    assertThat(heardOne.poll(20, TimeUnit.SECONDS)).as("the listener heard the change")
        .isEqualTo(WRITER + "#1 durable=true");
    assertThat(heard).containsExactly(WRITER + "#1 durable=true");
  }

  /**
   * The receiver asks for what its store failed at once (a Resend): the writer's timed resend
   * comes only after an hour here, longer than the test may take, and the link is ordered, so
   * nothing else would bring the records back.
   */
  @Test
  void failedAppendOfReceivedRecordsLeavesNoGapAndTheRecordsAskedForAgainApply()
      throws Exception {
    HeldStore failing = new HeldStore(new InMemoryReplicaStore(), 1);
    failing.release();
    ReplicaConfig noTimedResend = ReplicaConfig.DEFAULT.withSession(
        ReplicaConfig.DEFAULT.session().withBackoff(250, 3_600_000));
    writer = Replica.builder().id(WRITER).store(new InMemoryReplicaStore())
        .transport(net.endpoint("writer")).config(noTimedResend).build();
    receiver = Replica.builder().id(RECEIVER).store(failing)
        .transport(net.endpoint("receiver")).config(noTimedResend).build();
    net.connect("writer", "receiver");
    CountDownLatch applied = new CountDownLatch(2);
    receiver.addListener(c -> applied.countDown());

    Write w = writer.update("likes", GCounter.empty(), (c, x) -> c.increment(x.replica(), 1));
    writer.update("likes", GCounter.empty(), (c, x) -> c.increment(x.replica(), 1));
    assertThat(failing.failed.await(20, TimeUnit.SECONDS)).as("the store failed one append")
        .isTrue();

    // The receiver asks for them again at once, and the store takes them this time. (Whether
    // the writer has its ack yet when this thread gets here is a race: the records asked for
    // again may be stored already. That an ack waits for durability is the first test's.)
    w.on(RECEIVER).get(60, TimeUnit.SECONDS);
    assertThat(applied.await(20, TimeUnit.SECONDS)).as("both records applied").isTrue();
    assertThat(receiver.vector().get(WRITER)).isEqualTo(2);
    assertThat(receiver.get("likes", GCounter.empty()).value()).isEqualTo(2);
    assertThat(failing.readFeed(WRITER, 1, 10)).extracting(DeltaRecord::seq)
        .containsExactly(1L, 2L);
  }

  @Test
  void overAPipelinedTransportTheConnectionReadsOnWhileItsRecordsAwaitDurability()
      throws Exception {
    HeldStore held = new HeldStore(new InMemoryReplicaStore(), 0);
    BlockingQueue<String> heard = new LinkedBlockingQueue<>();
    writer = Replica.builder().id(WRITER).store(new InMemoryReplicaStore())
        .transport(net.endpoint("writer")).build();
    receiver = Replica.builder().id(RECEIVER).store(held)
        .transport(Pipelined.of(net.endpoint("receiver"))).build();
    net.connect("writer", "receiver");
    receiver.addListener(c -> heard.add(c.origin() + "#" + c.seq() + " durable=" + held.released()));

    Write first = writer.update("likes", GCounter.empty(), (c, x) -> c.increment(x.replica(), 1));
    assertThat(held.awaiting.await(20, TimeUnit.SECONDS)).as("the first awaits durability")
        .isTrue();
    Write second = writer.update("likes", GCounter.empty(), (c, x) -> c.increment(x.replica(), 1));
    // The second reaches the store while the first is not durable: nobody waited on the
    // delivering thread (over a transport that is not pipelined, it would wait here).
    assertThat(held.queued.await(20, TimeUnit.SECONDS)).as("the second queued in the store")
        .isTrue();
    assertThat(receiver.vector().get(WRITER)).as("not applied").isZero();
    assertThat(heard).isEmpty();
    assertThat(first.acknowledgedBy()).as("not acknowledged").doesNotContain(RECEIVER);

    held.release();
    second.on(RECEIVER).get(20, TimeUnit.SECONDS);
    assertThat(receiver.get("likes", GCounter.empty()).value()).isEqualTo(2);
    assertThat(List.of(heard.poll(20, TimeUnit.SECONDS), heard.poll(20, TimeUnit.SECONDS)))
        .containsExactly(WRITER + "#1 durable=true", WRITER + "#2 durable=true");
  }

  private void start(ReplicaStore receiverStore) {
    writer = Replica.builder().id(WRITER).store(new InMemoryReplicaStore())
        .transport(net.endpoint("writer")).build();
    receiver = Replica.builder().id(RECEIVER).store(receiverStore)
        .transport(net.endpoint("receiver")).build();
    net.connect("writer", "receiver");
  }

  /**
   * A store whose queued appends are written at once but durable only once the test releases
   * them; the first {@code failures} of them then fail, as a commit that could not sync.
   */
  private static final class HeldStore extends ForwardingReplicaStore {
    final CountDownLatch awaiting = new CountDownLatch(1);
    /** Counts down once per append of received records queued. */
    final CountDownLatch queued = new CountDownLatch(2);
    /** Released once an append failed. */
    final CountDownLatch failed = new CountDownLatch(1);
    private final CountDownLatch gate = new CountDownLatch(1);
    /** One thread, so appends complete in the order they were queued. */
    private final java.util.concurrent.ExecutorService completer =
        java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
          Thread t = new Thread(r, "held-store-complete");
          t.setDaemon(true);
          return t;
        });
    final AtomicInteger failures;

    HeldStore(ReplicaStore store, int failures) {
      super(store);
      this.failures = new AtomicInteger(failures);
    }

    boolean released() {
      return gate.getCount() == 0;
    }

    void release() {
      gate.countDown();
    }

    @Override
    public PendingAppend appendQueued(List<DeltaRecord> records) {
      PendingAppend written = super.appendQueued(records);
      queued.countDown();
      PendingAppend held = () -> {
        written.await();
        awaiting.countDown();
        try {
          gate.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StoreException("interrupted", e);
        }
        if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          failed.countDown();
          throw new StoreException("sync failed");
        }
      };
      return new PendingAppend() {
        @Override
        public void await() {
          held.await();
        }

        /** On a thread of the store's, as a store that commits on its own threads does. */
        @Override
        public CompletionStage<Void> whenDurable() {
          return CompletableFuture.runAsync(held::await, completer);
        }
      };
    }
  }
}
