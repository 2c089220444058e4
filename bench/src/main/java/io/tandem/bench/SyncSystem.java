package io.tandem.bench;

import io.tandem.replication.sim.SimulatedNetwork;
import io.tandem.replication.spi.Transport;
import java.util.List;
import java.util.function.Function;

/**
 * One system of part 4 (the MVDS baseline or Tandem, in one mode) as the experiment drives it:
 * one node per name on the simulated network, each writing the bodies it is given and telling
 * of every message it receives.
 */
interface SyncSystem extends AutoCloseable {

  /** Told when {@code node} first holds message {@code k} of {@code author}. */
  interface Deliveries {
    void delivered(String author, int k, String node);
  }

  /** A short name for tables, such as "MVDS batch". */
  String name();

  /**
   * Starts one node per name, each on the transport {@code transports} gives it, all of them
   * sharing with each other.
   */
  void start(SimulatedNetwork net, List<String> nodes, Function<String, Transport> transports,
      long seed, Deliveries deliveries);

  /** Node {@code author} writes its {@code k}-th message (from 0), whose bytes are {@code body}. */
  void write(String author, int k, byte[] body);

  @Override
  void close();
}
