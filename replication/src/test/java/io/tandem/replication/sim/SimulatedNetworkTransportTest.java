package io.tandem.replication.sim;

import io.tandem.replication.spi.TransportContract;
import java.util.Set;
import java.util.function.BooleanSupplier;

/** The simulator on a perfect link keeps the transport contract, on virtual time. */
class SimulatedNetworkTransportTest extends TransportContract {

  private final SimulatedNetwork network = network();

  /** The network under test; called once, from the constructor. */
  SimulatedNetwork network() {
    return new SimulatedNetwork(7);
  }

  @Override
  protected Endpoints createConnectedPair() {
    return new Endpoints(network.endpoint("left"), network.endpoint("right"));
  }

  @Override
  protected void cut() {
    network.partition(Set.of("left"), Set.of("right"));
  }

  @Override
  protected void restore() {
    network.heal();
  }

  @Override
  protected void awaitUntil(String what, BooleanSupplier condition) {
    long deadline = network.now() + 60_000;
    while (!condition.getAsBoolean()) {
      if (network.now() > deadline || !network.step()) {
        throw new AssertionError("never happened in virtual time: " + what);
      }
    }
  }
}
