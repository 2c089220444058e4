package io.tandem.transport.vertx;

import io.tandem.replication.spi.TransportContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport contract over TLS 1.3 between two paired devices, through the cutting proxy:
 * what devices run between them.
 */
class VertxTransportTlsTest extends TransportContract {

  @TempDir
  Path dir;
  private TcpProxy proxy;

  @AfterEach
  void closeProxy() {
    if (proxy != null) {
      proxy.close();
    }
  }

  @Override
  protected Endpoints createConnectedPair() {
    try {
      TestDevice pc = new TestDevice(dir.resolve("pc"), "pc");
      TestDevice phone = new TestDevice(dir.resolve("phone"), "phone");
      pc.pin(phone);
      phone.pin(pc);
      VertxTransport left = new VertxTransport(Loopback.options(), ChannelSecurity.tls(pc.tls));
      proxy = new TcpProxy(left::port);
      VertxTransport right = new VertxTransport(Loopback.options()
          .withPeers(List.of(new PeerAddress("127.0.0.1", proxy.port()))),
          ChannelSecurity.tls(phone.tls));
      return new Endpoints(left, right);
    } catch (IOException | IdentityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  protected void cut() {
    proxy.cut();
  }

  @Override
  protected void restore() {
    proxy.restore();
  }

  @Override
  protected void awaitUntil(String what, BooleanSupplier condition) {
    awaitWithTimeout(what, condition, Duration.ofSeconds(20));
  }
}
