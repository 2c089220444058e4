package io.tandem.bench;

import io.tandem.replication.sim.SimulatedNetwork;

/**
 * A world model of part 4: when a frame from one node can reach another. Every system of a row
 * runs in the same world, built from the same seed, so all of them face the very same online
 * windows or the very same lost epochs; the {@link Oracle} reads the same world to find the
 * earliest each message could have arrived.
 */
interface World {

  /** How long a frame takes on a link that carries it. */
  long LINK_DELAY_MILLIS = 1;

  /** A short name for tables. */
  String name();

  /** Makes the network follow this world from its current time to {@code start + horizon}. */
  void apply(SimulatedNetwork net, long horizonMillis);

  /**
   * The earliest time at or after {@code t} at which a frame sent from {@code from} reaches
   * {@code to}, less the link delay; {@link Long#MAX_VALUE} if never before the horizon.
   */
  long earliestSend(String from, String to, long t);
}
