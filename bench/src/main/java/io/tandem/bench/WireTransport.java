package io.tandem.bench;

import io.tandem.replication.sim.SimulatedNetwork;
import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.PeerListener;
import io.tandem.replication.spi.Transport;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * A node's simulated transport that also counts, per peer, the bytes of sends the network
 * refused although this node was online: the peer was away. A device that does not know whether
 * its peer is there (MVDS) still puts those bytes on the air, and they are lost; the simulator's
 * own statistics count only frames it accepted. Bytes a node tries to send while it is offline
 * itself never leave it and are not counted.
 */
final class WireTransport implements Transport {

  private final String self;
  private final Transport net;
  private final SimulatedNetwork network;
  private final Map<String, Long> lost;

  /** @param lost where refused bytes are added, by {@code "from->to"} */
  WireTransport(String self, SimulatedNetwork network, Map<String, Long> lost) {
    this.self = self;
    this.network = network;
    this.net = network.endpoint(self);
    this.lost = lost;
  }

  @Override
  public void start(PeerListener listener) {
    net.start(listener);
  }

  @Override
  public CompletionStage<Void> send(PeerId peer, ByteBuffer frame) {
    int bytes = frame.remaining();
    CompletionStage<Void> sent = net.send(peer, frame);
    if (sent.toCompletableFuture().isCompletedExceptionally() && network.isOnline(self)) {
      lost.merge(self + "->" + peer.value(), (long) bytes, Long::sum);
    }
    return sent;
  }

  @Override
  public boolean ordered() {
    return net.ordered();
  }

  @Override
  public void disconnect(PeerId peer, String reason) {
    net.disconnect(peer, reason);
  }

  @Override
  public void close() {
    net.close();
  }
}
