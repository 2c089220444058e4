package io.tandem.replication.memory;

import io.tandem.replication.spi.TransportContract;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;

/** The in-memory transport keeps the transport contract, on real threads. */
class InMemoryTransportTest extends TransportContract {

  private final InMemoryNetwork network = InMemoryNetwork.create();

  @AfterEach
  void closeNetwork() {
    network.close();
  }

  @Override
  protected Endpoints createConnectedPair() {
    Endpoints pair = new Endpoints(network.endpoint("left"), network.endpoint("right"));
    network.connect("left", "right");
    return pair;
  }

  @Override
  protected void cut() {
    network.disconnect("left", "right");
  }

  @Override
  protected void restore() {
    network.connect("left", "right");
  }

  @Override
  protected void awaitUntil(String what, BooleanSupplier condition) {
    awaitWithTimeout(what, condition, Duration.ofSeconds(10));
  }
}
