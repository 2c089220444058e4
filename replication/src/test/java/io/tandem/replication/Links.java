package io.tandem.replication;

import io.tandem.replication.sim.SimulatedNetwork;

/** How the links of a simulated cluster behave: the two kinds of transport Tandem runs over. */
enum Links {
  /** Datagram-like: frames drop, duplicate and reorder silently (the simulator's default). */
  UNORDERED,
  /** TCP-like: frames keep their order, and a lost one breaks the connection (peerDown). */
  ORDERED;

  SimulatedNetwork network(long seed) {
    return this == ORDERED ? SimulatedNetwork.ordered(seed) : new SimulatedNetwork(seed);
  }
}
