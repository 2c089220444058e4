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
    VertxTransport left = new VertxTransport(Loopback.options(), Loopback.plain("left"));
    Ups onLeft = new Ups();
    left.start(onLeft);
    VertxTransport right = new VertxTransport(Loopback.options()
        .withPeers(List.of(new PeerAddress("127.0.0.1", left.port()))), Loopback.plain("right"));
    Ups onRight = new Ups();
    try {
      right.start(onRight);
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
    } finally {
      right.close();
      left.close();
    }
  }

  @Test
  void anOfflineDialerDialsNoOneAndDialsAtOnceWhenBackOnline() {
    VertxTransport left = new VertxTransport(Loopback.options(), Loopback.plain("left"));
    Ups onLeft = new Ups();
    left.start(onLeft);
    VertxTransport right = new VertxTransport(Loopback.options()
        .withPeers(List.of(new PeerAddress("127.0.0.1", left.port()))), Loopback.plain("right"));
    Ups onRight = new Ups();
    try {
      right.start(onRight);
      Loopback.await("connected", () -> onLeft.up.get() == 1, WAIT);

      right.setOffline(true);
      Loopback.await("the left side saw the connection end", () -> onLeft.down.get() == 1,
          WAIT);
      assertThat(right.metrics().openConnections()).isZero();
      assertThat(right.metrics().peers().values()).allSatisfy(p ->
          assertThat(p.refusals()).isEmpty());

      right.setOffline(false);
      Loopback.await("the right side dialed again", () -> onLeft.up.get() == 2, WAIT);
    } finally {
      right.close();
      left.close();
    }
  }
}
