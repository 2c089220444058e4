package io.tandem.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.PeerListener;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link VertxTransport#setOffline}: a pause of the device's networking, not a refusal. */
class VertxTransportOfflineTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Counts the connections a transport announced. */
  private static final class Ups implements PeerListener {
    final AtomicInteger up = new AtomicInteger();
    final AtomicInteger down = new AtomicInteger();

    @Override
    public void peerUp(PeerId peer) {
      up.incrementAndGet();
    }

    @Override
    public void peerDown(PeerId peer) {
      down.incrementAndGet();
    }

    @Override
    public void frame(PeerId peer, ByteBuffer frame) {}
  }

  @Test
  void offlineClosesQuietlyRefusesRedialsWithoutCountingThemAndOnlineReconnects() {
    Ups onLeft = new Ups();
    Ups onRight = new Ups();
    try (Pair two = Pair.start(onLeft, onRight)) {
      VertxTransport left = two.left;
      VertxTransport right = two.right;
      Loopback.await("connected", () -> onLeft.up.get() == 1 && onRight.up.get() == 1, WAIT);

      left.setOffline(true);
      assertThat(left.offline()).isTrue();
      Loopback.await("both sides saw the connection end",
          () -> onLeft.down.get() == 1 && onRight.down.get() == 1, WAIT);
      String dialed = "127.0.0.1:" + left.port();
      long before = right.metrics().peers().get(dialed).reconnects();
      Loopback.await("the right side redialed a few times", () ->
          right.metrics().peers().get(dialed).reconnects() >= before + 3, WAIT);
      assertThat(onLeft.up.get()).as("no connection comes up while offline").isEqualTo(1);
      assertThat(left.metrics().openConnections()).isZero();
      assertThat(left.metrics().peers().values()).allSatisfy(p ->
          assertThat(p.refusals()).as("going offline is no refusal").isEmpty());

      left.setOffline(false);
      Loopback.await("reconnected once back online",
          () -> onLeft.up.get() == 2 && onRight.up.get() == 2, WAIT);
    }
  }

  @Test
  void anOfflineDialerDialsNoOneAndDialsAtOnceWhenBackOnline() {
    Ups onLeft = new Ups();
    Ups onRight = new Ups();
    try (Pair two = Pair.start(onLeft, onRight)) {
      VertxTransport left = two.left;
      VertxTransport right = two.right;
      Loopback.await("connected", () -> onLeft.up.get() == 1, WAIT);

      right.setOffline(true);
      Loopback.await("the left side saw the connection end", () -> onLeft.down.get() == 1,
          WAIT);
      Loopback.await("the right side closed its connection",
          () -> right.metrics().openConnections() == 0, WAIT);
      assertThat(right.metrics().peers().values()).allSatisfy(p ->
          assertThat(p.refusals()).isEmpty());

      right.setOffline(false);
      Loopback.await("the right side dialed again", () -> onLeft.up.get() == 2, WAIT);
    }
  }

  /** A left transport, and a right one that dials it. */
  private static final class Pair implements AutoCloseable {
    final VertxTransport left;
    final VertxTransport right;

    private Pair(VertxTransport left, VertxTransport right) {
      this.left = left;
      this.right = right;
    }

    static Pair start(PeerListener onLeft, PeerListener onRight) {
      VertxTransport left = new VertxTransport(Loopback.options(), Loopback.plain("left"));
      left.start(onLeft);
      VertxTransport right = new VertxTransport(Loopback.options()
          .withPeers(List.of(new PeerAddress("127.0.0.1", left.port()))),
          Loopback.plain("right"));
      try {
        right.start(onRight);
      } catch (RuntimeException e) {
        left.close();
        throw e;
      }
      return new Pair(left, right);
    }

    @Override
    public void close() {
      right.close();
      left.close();
    }
  }
}
