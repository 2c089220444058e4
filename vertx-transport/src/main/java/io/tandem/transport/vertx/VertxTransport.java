package io.tandem.transport.vertx;

import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.PeerListener;
import io.tandem.replication.spi.Transport;
import io.tandem.transport.vertx.ChannelSecurity.UnauthenticatedException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link Transport} over Vert.x TCP: a server for peers that dial in, a client for the
 * static peers and those heard on the LAN, and between them frames of a 4-byte length and at
 * most {@link VertxTransportOptions#maxFrameBytes()} bytes.
 *
 * <pre>{@code
 * VertxTransport t = new VertxTransport(VertxTransportOptions.defaults()
 *     .withPeers(List.of(PeerAddress.parse("192.168.1.20:47470"))), security);
 * Replica r = Replica.builder().store(store).transport(t).build();
 * }</pre>
 *
 * <p>Every connection has a {@link PeerId} of its own, and is announced by peerUp only after
 * its handshake and the peer's preamble, so nothing of the replica's is read or sent before.
 * Nothing is queued without bound: the socket's reads go straight to the listener (TCP's window
 * holds back a fast sender while the listener works), and a slow reader fills a bounded outbox
 * whose sends then complete late or fail. Every refusal is logged with its reason and counted
 * in {@link #metrics()}.
 */
public final class VertxTransport implements Transport {

  private static final System.Logger LOG = System.getLogger(VertxTransport.class.getName());
  private static final AtomicLong INSTANCES = new AtomicLong();

  private final Vertx vertx;
  private final boolean ownVertx;
  private final VertxTransportOptions options;
  private final ChannelSecurity security;
  private final String name;
  private final AtomicLong connectionIds = new AtomicLong();
  private final Map<PeerId, Connection> connections = new ConcurrentHashMap<>();
  private final Map<String, PeerCounters> counters = new ConcurrentHashMap<>();
  private final List<Dialer> dialers = new ArrayList<>();
  /** Devices heard on the LAN that this side dialed, and the connection it has to each. */
  private final Map<String, PeerId> discovered = new ConcurrentHashMap<>();
  private NetServer server;
  private NetClient client;
  private Discovery discovery;
  private volatile PeerListener listener;
  private volatile boolean closed;
  private volatile boolean offline;
  private volatile int port;

  /** A transport on a Vert.x instance of its own, closed with it. */
  public VertxTransport(VertxTransportOptions options, ChannelSecurity security) {
    this(Vertx.vertx(), true, options, security);
  }

  /** A transport on a shared Vert.x instance, which {@link #close()} leaves open. */
  public VertxTransport(Vertx vertx, VertxTransportOptions options, ChannelSecurity security) {
    this(vertx, false, options, security);
  }

  private VertxTransport(Vertx vertx, boolean ownVertx, VertxTransportOptions options,
      ChannelSecurity security) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.ownVertx = ownVertx;
    this.options = Objects.requireNonNull(options, "options");
    this.security = Objects.requireNonNull(security, "security");
    this.name = security.localDevice() + "/" + INSTANCES.incrementAndGet();
    if (security instanceof PlainTcp) {
      LOG.log(Level.WARNING, "{0}: plain TCP, no encryption and no authentication; for "
          + "loopback tests only", name);
    }
  }

  /**
   * Binds the server, dials the static peers and starts discovery. Blocks until the server
   * listens (so call it from no event-loop thread); {@link #port()} then tells the port.
   *
   * @throws IllegalStateException if the server cannot bind
   */
  @Override
  public void start(PeerListener listener) {
    Objects.requireNonNull(listener, "listener");
    synchronized (this) {
      if (this.listener != null) {
        throw new IllegalStateException(name + " already started");
      }
      this.listener = listener;
    }
    long helloMillis = options.helloTimeout().toMillis();
    // The handshake counts against the hello timeout: a slow-loris may stall it too.
    server = vertx.createNetServer(security.configure(new NetServerOptions()
        .setTcpNoDelay(true).setReuseAddress(true)
        .setSslHandshakeTimeout(helloMillis).setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)));
    server.connectHandler(this::accepted);
    server.exceptionHandler(e -> refusedBeforeConnect(e));
    port = await(server.listen(options.port(), options.host()), "listen on "
        + options.host() + ":" + options.port()).actualPort();
    client = vertx.createNetClient(security.configure(new NetClientOptions()
        .setTcpNoDelay(true).setConnectTimeout((int) Math.min(Integer.MAX_VALUE, helloMillis))
        .setSslHandshakeTimeout(helloMillis).setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)));
    long seed = System.nanoTime();
    for (PeerAddress a : options.peers()) {
      Dialer d = new Dialer(vertx, a, counters(a.toString()), options.backoff(), seed++,
          this::dial);
      dialers.add(d);
      d.start();
    }
    if (options.discovery().enabled()) {
      discovery = new Discovery(vertx, options.discovery(),
          new Announcement(security.localDevice(), port), this::heard);
      await(discovery.start(), "start discovery");
    }
    LOG.log(Level.INFO, "{0} listens on {1}:{2,number,#}", name, options.host(), port);
  }

  /** The port the server listens on, once started. */
  public int port() {
    return port;
  }

  /** A snapshot of the counters of every remote endpoint seen so far. */
  public TransportMetrics metrics() {
    Map<String, PeerMetrics> snapshot = new java.util.HashMap<>();
    counters.forEach((k, c) -> snapshot.put(k, c.snapshot()));
    return new TransportMetrics(connections.size(), snapshot);
  }

  @Override
  public CompletionStage<Void> send(PeerId peer, ByteBuffer frame) {
    Objects.requireNonNull(peer, "peer");
    int size = frame.remaining();
    if (size == 0 || size > options.maxFrameBytes()) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("frame of " + size
          + " bytes; frames hold 1.." + options.maxFrameBytes()));
    }
    Connection c = connections.get(peer);
    if (closed || c == null || !c.isUp()) {
      return CompletableFuture.failedFuture(new PeerGoneException("no connection " + peer));
    }
    // Copy now: the caller may reuse its buffer as soon as send returns.
    byte[] bytes = new byte[size];
    frame.duplicate().get(bytes);
    return c.send(bytes);
  }

  /** Frames arrive on Vert.x's threads, whose connection reads on once the call returns. */
  @Override
  public boolean pipelined() {
    return true;
  }

  @Override
  public void disconnect(PeerId peer, String reason) {
    Connection c = connections.get(peer);
    if (c != null) {
      refused(c.counters, c, RefusalReason.PROTOCOL_VIOLATION, reason);
      c.close(reason);
    }
  }

  /**
   * Pauses or resumes this device's networking without closing the transport. Offline, it
   * closes its connections (their peers see them end, as when a device leaves the network),
   * dials no one, stops discovery and closes each inbound connection as soon as it is
   * accepted, quietly: none of this is a refusal. Back online, it dials its static peers at
   * once and starts discovery again.
   */
  public void setOffline(boolean off) {
    Discovery stopping = null;
    synchronized (this) {
      if (closed || listener == null || off == offline) {
        offline = off;
        return;
      }
      offline = off;
      if (off) {
        stopping = discovery;
        discovery = null;
        discovered.clear();
      } else if (options.discovery().enabled()) {
        discovery = new Discovery(vertx, options.discovery(),
            new Announcement(security.localDevice(), port), this::heard);
        discovery.start().onFailure(e -> LOG.log(Level.WARNING,
            "{0}: discovery did not start again: {1}", name, e.toString()));
      }
    }
    if (off) {
      dialers.forEach(Dialer::pause);
      if (stopping != null) {
        stopping.close();
      }
      connections.values().forEach(c -> c.close("this device went offline"));
    } else {
      dialers.forEach(Dialer::resume);
    }
    LOG.log(Level.INFO, "{0} is {1}", name, off ? "offline" : "online");
  }

  /** Whether {@link #setOffline} paused this transport. */
  public boolean offline() {
    return offline;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    dialers.forEach(Dialer::stop);
    if (discovery != null) {
      discovery.close();
    }
    connections.values().forEach(c -> c.close("transport closed"));
    List<Future<?>> closing = new ArrayList<>();
    if (server != null) {
      closing.add(server.close());
    }
    if (client != null) {
      closing.add(client.close());
    }
    Future<?> all = Future.all(closing);
    if (ownVertx) {
      all = all.eventually(() -> vertx.close());
    }
    if (!Context.isOnEventLoopThread()) {
      try {
        all.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.log(Level.WARNING, "{0}: close did not finish cleanly: {1}", name, e.toString());
      }
    }
  }

  // --- connections ---

  private void accepted(NetSocket socket) {
    if (offline) {
      LOG.log(Level.DEBUG, "{0}: offline, closing a connection from {1}", name,
          socket.remoteAddress());
      socket.close();
      return;
    }
    String remote;
    try {
      remote = security.authenticate(socket);
    } catch (UnauthenticatedException e) {
      String who = socket.remoteAddress().hostAddress();
      refused(counters("unauthenticated:" + who), null, e.reason(), e.getMessage());
      socket.close();
      return;
    }
    adopt(socket, remote, null);
  }

  private void dial(Dialer d) {
    if (closed || offline) {
      d.failed();
      return;
    }
    if (connections.size() >= options.maxConnections()) {
      refused(d.counters, null, RefusalReason.TOO_MANY_CONNECTIONS, "not dialing " + d.address);
      d.failed();
      return;
    }
    client.connect(d.address.port(), d.address.host()).onComplete(ar -> {
      if (ar.failed()) {
        if (isHandshakeFailure(ar.cause())) {
          refused(d.counters, null, security.handshakeFailed(ar.cause()),
              "handshake with " + d.address + " failed: " + ar.cause().getMessage());
        } else {
          LOG.log(Level.DEBUG, "{0}: dialing {1} failed: {2}", name, d.address, ar.cause());
        }
        d.failed();
        return;
      }
      NetSocket socket = ar.result();
      try {
        security.authenticate(socket);
      } catch (UnauthenticatedException e) {
        refused(d.counters, null, e.reason(), e.getMessage());
        socket.close();
        d.failed();
        return;
      }
      if (adopt(socket, d.address.toString(), d) == null) {
        d.failed();
      }
    });
  }

  /** Takes a connected, authenticated socket on; null if it was refused. */
  private Connection adopt(NetSocket socket, String remote, Dialer dialer) {
    PeerCounters pc = dialer != null ? dialer.counters : counters(remote);
    if (closed || offline) {
      socket.close();
      return null;
    }
    if (dialer == null && connections.size() >= options.maxConnections()) {
      refused(pc, null, RefusalReason.TOO_MANY_CONNECTIONS, options.maxConnections() + " open");
      socket.close();
      return null;
    }
    PeerId id = PeerId.of(remote + "#" + connectionIds.incrementAndGet());
    Connection c = new Connection(vertx, vertx.getOrCreateContext(), socket, id, pc, dialer,
        options, owner);
    connections.put(id, c);
    c.open();
    return c;
  }

  private final Connection.Owner owner = new Connection.Owner() {
    @Override
    public void up(Connection c) {
      if (!closed) {
        listener.peerUp(c.id);
      }
    }

    @Override
    public void frames(Connection c, List<ByteBuffer> frames) {
      if (!closed) {
        listener.frames(c.id, frames);
      }
    }

    @Override
    public void refused(Connection c, RefusalReason reason, String detail) {
      VertxTransport.this.refused(c.counters, c, reason, detail);
    }

    @Override
    public void closed(Connection c) {
      connections.remove(c.id);
      discovered.values().remove(c.id);
      if (c.wasUp() && !closed) {
        listener.peerDown(c.id);
      }
      if (c.dialer != null) {
        c.dialer.lost(c.wasUp());
      }
    }
  };

  // --- discovery ---

  private void heard(Announcement a, String host) {
    // The lower name dials, so two devices that hear each other make one connection.
    if (closed || offline || security.localDevice().compareTo(a.device()) > 0
        || discovered.containsKey(a.device())
        || discovered.size() >= options.maxConnections()) {
      return;
    }
    PeerAddress address = new PeerAddress(host, a.port());
    PeerCounters pc = counters(address.toString());
    PeerId pending = PeerId.of("dialing:" + address);
    if (discovered.putIfAbsent(a.device(), pending) != null) {
      return;
    }
    LOG.log(Level.DEBUG, "{0}: heard {1} at {2}; dialing", name, a.device(), address);
    client.connect(address.port(), address.host()).onComplete(ar -> {
      if (ar.failed() || closed) {
        discovered.remove(a.device());
        if (ar.succeeded()) {
          ar.result().close();
        }
        return;
      }
      NetSocket socket = ar.result();
      try {
        security.authenticate(socket);
      } catch (UnauthenticatedException e) {
        refused(pc, null, e.reason(), e.getMessage());
        socket.close();
        discovered.remove(a.device());
        return;
      }
      Connection c = adopt(socket, address.toString(), null);
      if (c == null || !discovered.replace(a.device(), pending, c.id)
          || !connections.containsKey(c.id)) {
        discovered.remove(a.device());
      }
    });
  }

  // --- refusals ---

  private void refused(PeerCounters pc, Connection c, RefusalReason reason, String detail) {
    LOG.log(Level.WARNING, "{0}: refused {1}: {2}: {3}", name,
        c != null ? c.id : "a connection", reason, detail);
    pc.refused(reason, detail);
  }

  private void refusedBeforeConnect(Throwable e) {
    refused(counters("unauthenticated"), null, security.handshakeFailed(e),
        "handshake failed: " + e.getMessage());
  }

  private static boolean isHandshakeFailure(Throwable t) {
    for (Throwable c = t; c != null && c.getCause() != c; c = c.getCause()) {
      if (c instanceof javax.net.ssl.SSLException
          || c instanceof java.security.cert.CertificateException) {
        return true;
      }
    }
    return false;
  }

  private PeerCounters counters(String remote) {
    return counters.computeIfAbsent(remote, PeerCounters::new);
  }

  private <T> T await(Future<T> f, String what) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(name + ": could not " + what, e);
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
