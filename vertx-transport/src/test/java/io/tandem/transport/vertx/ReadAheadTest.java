package io.tandem.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.replication.spi.PeerId;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A connection reads on while its listener handles earlier frames: what arrives meanwhile is
 * decoded and handed to the listener as one call, in order, once it is done, instead of one
 * worker round trip per chunk read while the socket waits (bench part 2: at 1,000 writes/s
 * frames waited tens of milliseconds on the socket).
 */
class ReadAheadTest {

  private static final int LATER = 20;
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void framesReadWhileTheListenerIsBusyArriveInOrderAsOneCall() throws Exception {
    CountDownLatch busy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<List<Integer>> calls = new CopyOnWriteArrayList<>();
    AtomicReference<PeerId> toReceiver = new AtomicReference<>();
    try (VertxTransport receiver = new VertxTransport(Loopback.options(),
        Loopback.plain("receiver"))) {
      receiver.start(new UpListener(null) {
        @Override
        public void frames(PeerId peer, List<ByteBuffer> frames) {
          calls.add(frames.stream().map(f -> (int) f.get(f.position())).toList());
          if (calls.size() == 1) {
            busy.countDown();
            try {
              release.await(30, TimeUnit.SECONDS); // a long store commit, say
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        }
      });
      try (VertxTransport sender = new VertxTransport(Loopback.options()
          .withPeers(List.of(new PeerAddress("127.0.0.1", receiver.port()))),
          Loopback.plain("sender"))) {
        sender.start(new UpListener(toReceiver));
        Loopback.await("connected", () -> toReceiver.get() != null, WAIT);
        sender.send(toReceiver.get(), frame(0)).toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertThat(busy.await(20, TimeUnit.SECONDS)).as("the listener got the first frame").isTrue();
        long before = bytesIn(receiver);
        for (int i = 1; i <= LATER; i++) {
          // One at a time, each taken by the socket before the next: separate writes.
          sender.send(toReceiver.get(), frame(i)).toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
        long sent = (long) LATER * (4 + 8);
        Loopback.await("the frames sent meanwhile read while the listener is busy",
            () -> bytesIn(receiver) - before >= sent, WAIT);
        assertThat(calls).as("nothing delivered while the listener is busy").hasSize(1);

        release.countDown();
        Loopback.await("every frame delivered",
            () -> calls.stream().mapToInt(List::size).sum() == LATER + 1, WAIT);
        assertThat(calls).hasSize(2);
        assertThat(calls.get(1)).as("in the order sent, as one call")
            .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, LATER)
                .boxed().toList());
      }
    } finally {
      release.countDown();
    }
  }

  private static ByteBuffer frame(int n) {
    ByteBuffer b = ByteBuffer.allocate(8);
    b.put(0, (byte) n);
    return b;
  }

  private static long bytesIn(VertxTransport t) {
    return t.metrics().peers().values().stream().mapToLong(PeerMetrics::bytesIn).sum();
  }
}
