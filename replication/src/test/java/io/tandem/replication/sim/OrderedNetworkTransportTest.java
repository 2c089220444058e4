package io.tandem.replication.sim;

/** The simulator's TCP-like mode keeps the transport contract too. */
class OrderedNetworkTransportTest extends SimulatedNetworkTransportTest {

  @Override
  SimulatedNetwork network() {
    return SimulatedNetwork.ordered(7);
  }
}
