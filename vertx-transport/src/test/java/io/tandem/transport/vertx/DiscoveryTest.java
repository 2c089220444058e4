package io.tandem.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.PeerListener;
import java.net.DatagramSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Two transports with no static peers find each other by UDP multicast on the loopback
 * interface (this machine routes multicast on lo), and exactly one of them dials.
 */
class DiscoveryTest {

  @Test
  void devicesThatHearEachOthersAnnouncementsConnectOnce() throws Exception {
    int port;
    try (DatagramSocket free = new DatagramSocket(0)) {
      port = free.getLocalPort();
    }
    Discovery.Options lan = new Discovery.Options(true, "239.255.70.77", port, port,
        Duration.ofMillis(100), "lo");
    Events a = new Events();
    Events b = new Events();
    try (VertxTransport tablet = new VertxTransport(Loopback.options().withDiscovery(lan),
        Loopback.plain("tablet"));
        VertxTransport pc = new VertxTransport(Loopback.options().withDiscovery(lan),
            Loopback.plain("pc"))) {
      tablet.start(a);
      pc.start(b);
      Loopback.await("both see the other come up", () -> !a.ups.isEmpty() && !b.ups.isEmpty(),
          Duration.ofSeconds(20));
      // Several more announcements go by; none may open a second connection.
      Loopback.await("ten more announcement intervals", sleepFor(Duration.ofMillis(1000)),
          Duration.ofSeconds(5));

      assertThat(a.ups).hasSize(1);
      assertThat(b.ups).hasSize(1);
      assertThat(tablet.metrics().openConnections()).isEqualTo(1);
      // "pc" < "tablet": the pc dialed the address it heard the tablet announce.
      assertThat(pc.metrics().peers()).containsKey("127.0.0.1:" + tablet.port());
    }
  }

  @Test
  void discoverySwitchedOffConnectsNobody() throws Exception {
    Events a = new Events();
    try (VertxTransport alone = new VertxTransport(Loopback.options(), Loopback.plain("alone"))) {
      alone.start(a);
      assertThat(Discovery.Options.OFF.enabled()).isFalse();
      assertThat(alone.metrics().openConnections()).isZero();
      assertThat(a.ups).isEmpty();
    }
  }

  private static java.util.function.BooleanSupplier sleepFor(Duration d) {
    long until = System.nanoTime() + d.toNanos();
    return () -> System.nanoTime() >= until;
  }

  private static final class Events implements PeerListener {
    final List<PeerId> ups = new CopyOnWriteArrayList<>();

    @Override
    public void peerUp(PeerId peer) {
      ups.add(peer);
    }

    @Override
    public void peerDown(PeerId peer) {}

    @Override
    public void frame(PeerId peer, ByteBuffer frame) {}
  }
}
