package io.tandem.replication.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.PeerListener;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the in-memory hub does beyond the transport contract: bounds, threads, disconnects. */
class InMemoryNetworkTest {

  private final InMemoryNetwork network = InMemoryNetwork.create(3);

  @AfterEach
  void close() {
    network.close();
  }

  @Test
  void sendFailsWhileTheReceiversQueueIsFull() throws Exception {
    CountDownLatch handling = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Listener b = new Listener() {
      @Override
      public void frame(PeerId peer, ByteBuffer frame) {
        super.frame(peer, frame);
        handling.countDown();
        await(release);
      }
    };
    Listener aEvents = new Listener();
    InMemoryTransport a = connectedPair(aEvents, b);

    a.send(aEvents.lastUp, frame(0));
    // The first frame now holds b's thread, so the next ones can only queue.
    await(handling);
    PeerId to = aEvents.lastUp;
    List<CompletableFuture<Void>> queued = List.of(send(a, to, 1), send(a, to, 2),
        send(a, to, 3));
    CompletableFuture<Void> overflow = send(a, to, 4);

    assertThat(queued).allSatisfy(f -> assertThat(f).isCompleted());
    assertThat(overflow).isCompletedExceptionally();
    assertThatThrownBy(overflow::get).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(RejectedExecutionException.class);

    release.countDown();
    b.framesSeen.await(4);
    assertThat(send(a, to, 5).get(10, TimeUnit.SECONDS)).isNull();
  }

  @Test
  void framesAreDeliveredOnTheReceiversThreadNotTheSenders() throws Exception {
    Listener b = new Listener();
    Listener aEvents = new Listener();
    InMemoryTransport a = connectedPair(aEvents, b);

    a.send(aEvents.lastUp, frame(1));
    b.framesSeen.await(1);

    assertThat(b.threads).containsOnly("tandem-in-memory-b");
  }

  @Test
  void transportDisconnectKeepsTheConnectionDownUntilConnectedAgain() throws Exception {
    Listener aEvents = new Listener();
    Listener bEvents = new Listener();
    InMemoryTransport a = connectedPair(aEvents, bEvents);

    PeerId first = aEvents.lastUp;
    a.disconnect(first, "bad frame");
    bEvents.downs.await(1);

    assertThat(send(a, first, 1)).isCompletedExceptionally();
    assertThat(network.disconnectReasons()).containsExactly("a->" + first + ": bad frame");

    network.connect("a", "b");
    aEvents.ups.await(2);
    assertThat(aEvents.lastUp).isNotEqualTo(first);
    assertThat(send(a, first, 2)).isCompletedExceptionally();
    assertThat(send(a, aEvents.lastUp, 3).get(10, TimeUnit.SECONDS)).isNull();
  }

  @Test
  void connectRejectsUnknownEndpointsAndSelfLinks() {
    network.endpoint("a");

    assertThatThrownBy(() -> network.connect("a", "zz"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> network.connect("a", "a"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> network.endpoint("a"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private InMemoryTransport connectedPair(Listener aEvents, Listener bEvents)
      throws InterruptedException {
    InMemoryTransport a = network.endpoint("a");
    InMemoryTransport b = network.endpoint("b");
    network.connect("a", "b");
    a.start(aEvents);
    b.start(bEvents);
    aEvents.ups.await(1);
    bEvents.ups.await(1);
    return a;
  }

  private static CompletableFuture<Void> send(InMemoryTransport from, PeerId to, int value) {
    return from.send(to, frame(value)).toCompletableFuture();
  }

  private static ByteBuffer frame(int value) {
    return ByteBuffer.wrap(new byte[] {(byte) value});
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).as("latch released in time").isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Counts events as they come, so a test can wait for the n-th without polling. */
  private static final class Counter {
    private int count;

    synchronized void increment() {
      count++;
      notifyAll();
    }

    synchronized void await(int n) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (count < n) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          throw new AssertionError("saw " + count + " of " + n + " events");
        }
        TimeUnit.NANOSECONDS.timedWait(this, remaining);
      }
    }
  }

  private static class Listener implements PeerListener {
    final Counter ups = new Counter();
    final Counter downs = new Counter();
    final Counter framesSeen = new Counter();
    final List<String> threads = new CopyOnWriteArrayList<>();
    volatile PeerId lastUp;

    @Override
    public void peerUp(PeerId peer) {
      lastUp = peer;
      ups.increment();
    }

    @Override
    public void peerDown(PeerId peer) {
      downs.increment();
    }

    @Override
    public void frame(PeerId peer, ByteBuffer frame) {
      threads.add(Thread.currentThread().getName());
      framesSeen.increment();
    }
  }
}
