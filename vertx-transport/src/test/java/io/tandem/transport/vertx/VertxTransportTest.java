package io.tandem.transport.vertx;

import io.tandem.replication.spi.TransportContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;

/**
 * The Vert.x transport keeps the transport contract on 127.0.0.1: the right endpoint dials the
 * left one through a proxy that the contract's cut and restore break and mend.
 */
class VertxTransportTest extends TransportContract {

  private TcpProxy proxy;
  private VertxTransport left;

  @AfterEach
  void closeProxy() {
    if (proxy != null) {
      proxy.close();
    }
  }

  @Override
  protected Endpoints createConnectedPair() {
    left = new VertxTransport(Loopback.options(), Loopback.plain("left"));
    try {
      proxy = new TcpProxy(left::port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    VertxTransport right = new VertxTransport(Loopback.options()
        .withPeers(List.of(new PeerAddress("127.0.0.1", proxy.port()))), Loopback.plain("right"));
    return new Endpoints(left, right);
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
    awaitWithTimeout(what, condition, Duration.ofSeconds(10));
  }
}
