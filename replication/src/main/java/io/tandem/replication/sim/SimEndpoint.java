package io.tandem.replication.sim;

import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.PeerListener;
import io.tandem.replication.spi.Scheduler;
import io.tandem.replication.spi.Transport;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/** One node of a {@link SimulatedNetwork}; all the work is the network's. */
final class SimEndpoint implements Transport {

  final String name;
  final PeerId id;
  private final SimulatedNetwork network;
  PeerListener listener;
  boolean online = true;
  boolean closed;
  /** The next switch of this node's online schedule, if it follows one. */
  Scheduler.Cancellable schedule;

  SimEndpoint(SimulatedNetwork network, String name) {
    this.network = network;
    this.name = name;
    this.id = PeerId.of(name);
  }

  /**
   * Whether this node can take part in a link. A node that has not started yet counts as absent,
   * so that no peerUp is queued for a listener that does not exist.
   */
  boolean reachable() {
    return listener != null && online && !closed;
  }

  @Override
  public void start(PeerListener listener) {
    Objects.requireNonNull(listener, "listener");
    if (this.listener != null) {
      throw new IllegalStateException(name + " already started");
    }
    this.listener = listener;
    network.refreshLinks();
  }

  @Override
  public CompletionStage<Void> send(PeerId peer, ByteBuffer frame) {
    return network.send(this, peer, frame);
  }

  @Override
  public void disconnect(PeerId peer, String reason) {
    network.disconnect(this, peer, reason);
  }

  /**
   * Frames on a simulated link overtake each other whenever delays differ, unless the network
   * was made {@link SimulatedNetwork#ordered}.
   */
  @Override
  public boolean ordered() {
    return network.ordered();
  }

  @Override
  public void close() {
    network.close(this);
  }

  @Override
  public String toString() {
    return name;
  }
}
