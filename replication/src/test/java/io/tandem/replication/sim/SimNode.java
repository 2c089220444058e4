package io.tandem.replication.sim;

import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.PeerListener;
import io.tandem.replication.spi.Transport;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * A node of a simulated network in tests: it records what it is told, with the virtual time, and
 * can answer frames. Answers are sent from inside the callback, as a replica would.
 */
final class SimNode implements PeerListener {

  final String name;
  final Transport transport;
  private final SimulatedNetwork network;
  /** Lines of "time event peer [hex]"; several nodes may share one list to get one trace. */
  final List<String> trace;
  /** Peer events only, without times: "up b", "down b". */
  final List<String> events = new ArrayList<>();
  final List<byte[]> frames = new ArrayList<>();
  final Set<PeerId> connected = new LinkedHashSet<>();
  /** Given the sender and a frame, the reply to send back, or null for none. */
  BiFunction<PeerId, byte[], byte[]> answer = (peer, frame) -> null;

  private SimNode(SimulatedNetwork network, String name, List<String> trace) {
    this.network = network;
    this.name = name;
    this.trace = trace;
    this.transport = network.endpoint(name);
  }

  /** A node whose transport is not started yet. */
  static SimNode create(SimulatedNetwork network, String name) {
    return new SimNode(network, name, new ArrayList<>());
  }

  static SimNode start(SimulatedNetwork network, String name) {
    return start(network, name, new ArrayList<>());
  }

  static SimNode start(SimulatedNetwork network, String name, List<String> trace) {
    SimNode node = new SimNode(network, name, trace);
    node.transport.start(node);
    return node;
  }

  /**
   * Sends to node {@code to}: on an ordered network, on the connection to it this node was told
   * of (each has an id of its own, {@code to#n}), if any.
   */
  CompletableFuture<Void> send(String to, byte[] frame) {
    PeerId peer = connected.stream().filter(p -> p.value().startsWith(to + "#")).findFirst()
        .orElse(PeerId.of(to));
    return transport.send(peer, ByteBuffer.wrap(frame)).toCompletableFuture();
  }

  @Override
  public void peerUp(PeerId peer) {
    connected.add(peer);
    events.add("up " + peer);
    trace.add(network.now() + " " + name + " up " + peer);
  }

  @Override
  public void peerDown(PeerId peer) {
    connected.remove(peer);
    events.add("down " + peer);
    trace.add(network.now() + " " + name + " down " + peer);
  }

  @Override
  public void frame(PeerId peer, ByteBuffer frame) {
    byte[] bytes = new byte[frame.remaining()];
    frame.get(bytes);
    frames.add(bytes);
    trace.add(network.now() + " " + name + " <- " + peer + " " + HexFormat.of().formatHex(bytes));
    byte[] reply = answer.apply(peer, bytes);
    if (reply != null) {
      transport.send(peer, ByteBuffer.wrap(reply));
    }
  }

  /** How often the node was told {@code event} ("up" or "down"). */
  long count(String event) {
    return events.stream().filter(e -> e.startsWith(event + " ")).count();
  }
}
