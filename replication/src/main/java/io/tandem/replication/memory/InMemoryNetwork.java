package io.tandem.replication.memory;

import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.PeerListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * A hub of in-process endpoints on real threads, for tests and examples: reliable, ordered per
 * direction, asynchronous and bounded. Two endpoints talk once they are {@link #connect
 * connected} and both have started; each side then gets peerUp. {@link #disconnect} (or a
 * transport's own {@code disconnect}) takes the connection down until {@code connect} is called
 * again. Frames accepted before a disconnect are still delivered, ahead of the peerDown.
 *
 * <p>Thread-safe. Connectivity changes and sends are serialized on the hub, which is what keeps
 * every receiver's view consistent: a frame is never queued behind the peerDown of its own
 * connection.
 */
public final class InMemoryNetwork implements AutoCloseable {

  /** Frames an endpoint holds for its listener before sends to it fail. */
  public static final int DEFAULT_INBOUND_BOUND = 10_000;

  /** An unordered pair of endpoint names. */
  private record Pair(String first, String second) {
    static Pair of(String a, String b) {
      return a.compareTo(b) <= 0 ? new Pair(a, b) : new Pair(b, a);
    }
  }

  private final int inboundBound;
  private final Map<String, InMemoryTransport> endpoints = new LinkedHashMap<>();
  private final Set<Pair> wanted = new LinkedHashSet<>();
  /** Per pair, how many times its connection came up: the connection's number. */
  private final Map<Pair, Long> epochs = new HashMap<>();
  private final Set<Pair> up = new LinkedHashSet<>();
  private final List<String> disconnectReasons = new ArrayList<>();

  private InMemoryNetwork(int inboundBound) {
    if (inboundBound < 1) {
      throw new IllegalArgumentException("inbound bound must be positive: " + inboundBound);
    }
    this.inboundBound = inboundBound;
  }

  public static InMemoryNetwork create() {
    return new InMemoryNetwork(DEFAULT_INBOUND_BOUND);
  }

  /** A hub whose endpoints each hold at most {@code inboundBound} undelivered frames. */
  public static InMemoryNetwork create(int inboundBound) {
    return new InMemoryNetwork(inboundBound);
  }

  /**
   * A new endpoint. Its peers know it, per connection, by a {@link PeerId} of {@code name} and
   * the connection's number ({@code name#3}): a frame sent on a connection that ended fails and
   * never reaches the next one.
   *
   * @throws IllegalArgumentException if an endpoint of that name exists or existed
   */
  public synchronized InMemoryTransport endpoint(String name) {
    Objects.requireNonNull(name, "name");
    if (endpoints.containsKey(name)) {
      throw new IllegalArgumentException("endpoint exists: " + name);
    }
    InMemoryTransport t = new InMemoryTransport(this, name, inboundBound);
    endpoints.put(name, t);
    return t;
  }

  /** Connects two endpoints; the connection comes up once both have started. */
  public synchronized void connect(String a, String b) {
    Pair pair = pair(a, b);
    wanted.add(pair);
    refresh(pair);
  }

  /** Takes the connection between two endpoints down until {@link #connect} is called again. */
  public synchronized void disconnect(String a, String b) {
    Pair pair = pair(a, b);
    wanted.remove(pair);
    refresh(pair);
  }

  /** Why transports disconnected, in order, as {@code "from->to: reason"}. */
  public synchronized List<String> disconnectReasons() {
    return List.copyOf(disconnectReasons);
  }

  /** Closes every endpoint and stops their threads. */
  @Override
  public synchronized void close() {
    for (InMemoryTransport t : endpoints.values()) {
      close(t);
    }
  }

  synchronized void start(InMemoryTransport t, PeerListener listener) {
    t.setListener(listener);
    refreshAll();
  }

  synchronized CompletionStage<Void> send(InMemoryTransport from, PeerId peer, byte[] bytes) {
    InMemoryTransport to = endpoints.get(nameOf(peer));
    Pair pair = to == null ? null : Pair.of(from.name(), to.name());
    if (to == null || !up.contains(pair) || !peer.equals(connectionId(to, pair))) {
      return CompletableFuture.failedFuture(
          new IllegalStateException(from.name() + " is not connected to " + peer));
    }
    if (!to.offerFrame(connectionId(from, pair), bytes)) {
      return CompletableFuture.failedFuture(
          new RejectedExecutionException("inbound queue of " + peer + " is full"));
    }
    return CompletableFuture.completedFuture(null);
  }

  synchronized void disconnect(InMemoryTransport from, PeerId peer, String reason) {
    if (from.closed()) {
      return;
    }
    disconnectReasons.add(from.name() + "->" + peer + ": " + reason);
    String other = nameOf(peer);
    Pair pair = endpoints.containsKey(other) && !other.equals(from.name())
        ? Pair.of(from.name(), other) : null;
    if (pair != null && up.contains(pair)
        && peer.equals(connectionId(endpoints.get(other), pair))) {
      disconnect(from.name(), other);
    }
  }

  synchronized void close(InMemoryTransport t) {
    if (t.closed()) {
      return;
    }
    t.markClosed();
    refreshAll();
  }

  /** How the other end of {@code pair} knows {@code t} on the pair's current connection. */
  private PeerId connectionId(InMemoryTransport t, Pair pair) {
    return PeerId.of(t.name() + "#" + epochs.getOrDefault(pair, 0L));
  }

  private static String nameOf(PeerId peer) {
    String v = peer.value();
    int hash = v.lastIndexOf('#');
    return hash < 0 ? v : v.substring(0, hash);
  }

  private Pair pair(String a, String b) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    if (!endpoints.containsKey(a) || !endpoints.containsKey(b)) {
      throw new IllegalArgumentException("unknown endpoint: " + (endpoints.containsKey(a) ? b : a));
    }
    if (a.equals(b)) {
      throw new IllegalArgumentException("an endpoint cannot connect to itself: " + a);
    }
    return Pair.of(a, b);
  }

  private void refreshAll() {
    for (Pair pair : List.copyOf(wanted)) {
      refresh(pair);
    }
    for (Pair pair : List.copyOf(up)) {
      refresh(pair);
    }
  }

  private void refresh(Pair pair) {
    InMemoryTransport a = endpoints.get(pair.first());
    InMemoryTransport b = endpoints.get(pair.second());
    boolean shouldBeUp = wanted.contains(pair) && live(a) && live(b);
    if (shouldBeUp == up.contains(pair)) {
      return;
    }
    PeerId aSeenByB = connectionId(a, pair);
    PeerId bSeenByA = connectionId(b, pair);
    if (shouldBeUp) {
      epochs.merge(pair, 1L, Long::sum);
      up.add(pair);
      aSeenByB = connectionId(a, pair);
      bSeenByA = connectionId(b, pair);
    } else {
      up.remove(pair);
    }
    a.offerPeerEvent(bSeenByA, shouldBeUp);
    b.offerPeerEvent(aSeenByB, shouldBeUp);
  }

  private static boolean live(InMemoryTransport t) {
    return t.started() && !t.closed();
  }
}
