package io.tandem.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.PeerListener;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A receiver that stops reading pushes back on its sender: once the socket's buffers and the
 * bounded outbox are full, sends fail at once instead of queueing without bound; sends already
 * taken complete late, and every one of them arrives when the receiver reads again.
 */
class BackPressureTest {

  private static final int FRAME = 64 * 1024;
  private static final int PENDING = 256 * 1024;

  @Test
  void slowReaderMakesSendsFailOnceTheBoundIsReachedAndLosesNothingTaken() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger received = new AtomicInteger();
    AtomicReference<PeerId> toReceiver = new AtomicReference<>();
    try (VertxTransport receiver = new VertxTransport(Loopback.options(), Loopback.plain("slow"))) {
      receiver.start(new Listener(null) {
        @Override
        public void frame(PeerId peer, ByteBuffer frame) {
          received.incrementAndGet();
          try {
            // A replica stuck on a slow disk: this connection reads nothing meanwhile.
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      });
      try (VertxTransport sender = new VertxTransport(Loopback.options()
          .withMaxPendingBytes(PENDING)
          .withPeers(List.of(new PeerAddress("127.0.0.1", receiver.port()))),
          Loopback.plain("fast"))) {
        sender.start(new Listener(toReceiver));
        Loopback.await("connected", () -> toReceiver.get() != null, Duration.ofSeconds(10));

        List<CompletableFuture<Void>> sends = new ArrayList<>();
        CompletableFuture<Void> last;
        int attempts = 0;
        do {
          last = sender.send(toReceiver.get(), ByteBuffer.wrap(new byte[FRAME]))
              .toCompletableFuture();
          sends.add(last);
          attempts++;
          // Pace the sender: each send is taken quickly until the socket is full; then it waits.
          settleWithin(last, 200);
        } while (!last.isCompletedExceptionally() && attempts < 2000);

        assertThat(last).as("a send once the outbox is full").isCompletedExceptionally();
        assertThat(last.handle((v, e) -> e).get()).isInstanceOf(WriteQueueFullException.class);
        long waiting = sends.stream().filter(f -> !f.isDone()).count();
        assertThat(waiting).as("sends completing late, while the socket is full").isPositive();
        assertThat(waiting * (FRAME + 4)).as("bytes held for the slow peer")
            .isLessThanOrEqualTo(PENDING);

        release.countDown();
        long taken = sends.stream().filter(f -> !f.isCompletedExceptionally()).count();
        Loopback.await("every taken frame arrives", () -> received.get() == taken,
            Duration.ofSeconds(30));
        assertThat(sends.stream().filter(f -> !f.isCompletedExceptionally()))
            .allSatisfy(f -> assertThat(f).isCompleted());
      }
    } finally {
      release.countDown();
    }
  }

  /** Polls until {@code f} is done, for at most {@code millis}; a send may rightly stay open. */
  private static void settleWithin(CompletableFuture<Void> f, long millis) {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (!f.isDone() && System.nanoTime() < until) {
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
  }

  private static class Listener implements PeerListener {
    private final AtomicReference<PeerId> up;

    Listener(AtomicReference<PeerId> up) {
      this.up = up;
    }

    @Override
    public void peerUp(PeerId peer) {
      if (up != null) {
        up.set(peer);
      }
    }

    @Override
    public void peerDown(PeerId peer) {}

    @Override
    public void frame(PeerId peer, ByteBuffer frame) {}
  }
}
