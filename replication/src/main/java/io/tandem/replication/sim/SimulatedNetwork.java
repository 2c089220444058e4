package io.tandem.replication.sim;

import io.tandem.replication.sim.NetworkStats.Link;
import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.Scheduler;
import io.tandem.replication.spi.Transport;
import io.tandem.replication.spi.WallClock;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A deterministic network of simulated nodes on virtual time, for property tests and sync
 * experiments. Links drop, duplicate, delay and reorder frames as their {@link LinkConditions}
 * say; nodes can be partitioned, taken offline, or put on a random online schedule.
 *
 * <p>Nothing happens by itself: events (deliveries, peerUp/peerDown, {@link #scheduler()} tasks)
 * wait in a queue ordered by virtual time and run only inside {@link #step()}, {@link #runFor},
 * {@link #runUntil} and {@link #runUntilQuiet}, on the caller's thread. A send only schedules a
 * delivery, so a listener is never called back inside {@code send}. All randomness comes from one
 * {@link SplittableRandom} seeded at construction: the same seed and the same calls give the
 * same run, bit for bit. Not thread-safe: use it from one thread.
 *
 * <p>A network made by {@link #ordered(long)} has links like TCP connections instead: per
 * direction, frames arrive in the order sent (a frame never overtakes an earlier one, whatever
 * the delays drawn) and are never duplicated. A frame the link's drop probability takes instead
 * breaks the connection: both ends get peerDown, every frame in flight on it is lost, and it is
 * back (peerUp) {@link #DISCONNECT_CUT_MILLIS} later if nothing else keeps it down. So a frame
 * is delivered, or the connection is reported down; never silently missing. And as the
 * {@link PeerId} contract asks of ordered transports, each connection has an id of its own,
 * {@code name#n}: a send on a connection that ended fails, never slipping into the next one.
 */
public final class SimulatedNetwork {

  /** Virtual time at construction: a plausible wall clock, so Hlc values look ordinary. */
  public static final long EPOCH_MILLIS = 1_700_000_000_000L;

  /** How long a transport's {@code disconnect} keeps the link down before it comes back. */
  public static final long DISCONNECT_CUT_MILLIS = 100;

  private static final int UNGROUPED = -1;

  private final SplittableRandom random;
  private final boolean ordered;
  private final EventQueue queue = new EventQueue();
  private final Map<String, SimEndpoint> endpoints = new LinkedHashMap<>();
  private final Map<Link, SimLink> links = new HashMap<>();
  /** Links in creation order, so that transitions are always queued in the same order. */
  private final List<SimLink> linkOrder = new ArrayList<>();
  private final Map<String, Integer> groupOf = new HashMap<>();
  private final StatsRecorder stats = new StatsRecorder();
  private final List<String> disconnectReasons = new ArrayList<>();
  private final Scheduler scheduler = (delay, task) -> schedule(Math.max(0, delay), task);
  private LinkConditions defaultConditions = LinkConditions.PERFECT;
  private Function<ByteBuffer, String> frameKind = f -> "frame";
  private long now = EPOCH_MILLIS;
  private long lastSendTime = EPOCH_MILLIS;
  private int inFlight;
  private boolean running;

  /** A network of datagram-like links: frames drop, duplicate and reorder silently. */
  public SimulatedNetwork(long seed) {
    this(seed, false);
  }

  private SimulatedNetwork(long seed, boolean ordered) {
    this.random = new SplittableRandom(seed);
    this.ordered = ordered;
  }

  /**
   * A network of TCP-like links: ordered, never duplicated, and a lost frame breaks the
   * connection (see the class comment). Its endpoints say {@link Transport#ordered()}.
   */
  public static SimulatedNetwork ordered(long seed) {
    return new SimulatedNetwork(seed, true);
  }

  /** Whether links keep order and report losses by breaking, as TCP connections do. */
  public boolean ordered() {
    return ordered;
  }

  /** The current virtual time in milliseconds, starting at {@link #EPOCH_MILLIS}. */
  public long now() {
    return now;
  }

  /** A clock reading this network's virtual time. */
  public WallClock clock() {
    return () -> now;
  }

  /** Runs tasks on this network's event queue at virtual time; cancelled tasks never run. */
  public Scheduler scheduler() {
    return scheduler;
  }

  /**
   * Adds a node. Its peers know it by a {@link PeerId} equal to {@code name}; it links to every
   * node once both have started and can reach each other.
   *
   * @throws IllegalArgumentException if a node of that name exists (or existed and was closed)
   */
  public Transport endpoint(String name) {
    Objects.requireNonNull(name, "name");
    if (endpoints.containsKey(name)) {
      throw new IllegalArgumentException("endpoint exists: " + name);
    }
    SimEndpoint created = new SimEndpoint(this, name);
    for (SimEndpoint old : endpoints.values()) {
      // Split in a fixed order (old node, then new) so each direction's stream is reproducible.
      SimLink link = new SimLink(old, created, defaultConditions, random.split(), random.split());
      links.put(new Link(old.name, name), link);
      links.put(new Link(name, old.name), link);
      linkOrder.add(link);
    }
    endpoints.put(name, created);
    return created;
  }

  /**
   * The endpoint of a node that was closed, ready to start again: a device whose app restarted.
   * Its links keep their conditions; frames that were in flight to the old process are gone.
   *
   * @throws IllegalStateException if the node is still open
   */
  public Transport restart(String name) {
    SimEndpoint node = node(name);
    if (!node.closed) {
      throw new IllegalStateException(name + " is still open");
    }
    node.closed = false;
    node.listener = null;
    return node;
  }

  /** Sets the conditions of both directions between {@code a} and {@code b}. */
  public void conditions(String a, String b, LinkConditions c) {
    directedConditions(a, b, c);
    directedConditions(b, a, c);
  }

  /** Sets the conditions of frames from {@code from} to {@code to} only. */
  public void directedConditions(String from, String to, LinkConditions c) {
    Objects.requireNonNull(c, "conditions");
    link(from, to).setConditionsFrom(node(from), c);
  }

  /** Sets the conditions of every link, both directions, including links of nodes added later. */
  public void conditionsForAll(LinkConditions c) {
    defaultConditions = Objects.requireNonNull(c, "conditions");
    for (SimLink link : linkOrder) {
      link.setConditionsFrom(link.a, c);
      link.setConditionsFrom(link.b, c);
    }
  }

  /**
   * Splits the nodes into groups that cannot reach each other, replacing any earlier partition.
   * Nodes named in no group, including nodes added later, form one more group together.
   */
  @SafeVarargs
  public final void partition(Set<String>... groups) {
    Map<String, Integer> next = new HashMap<>();
    for (int g = 0; g < groups.length; g++) {
      for (String name : groups[g]) {
        node(name);
        if (next.put(name, g) != null) {
          throw new IllegalArgumentException(name + " is in two groups");
        }
      }
    }
    groupOf.clear();
    groupOf.putAll(next);
    refreshLinks();
  }

  /** Ends the partition and every cut link. Nodes that are offline or closed stay so. */
  public void heal() {
    groupOf.clear();
    for (SimLink link : linkOrder) {
      link.severed = false;
    }
    refreshLinks();
  }

  /**
   * Cuts the one link between {@code a} and {@code b}, as if the two never came in range: for
   * topologies a partition into groups cannot draw, such as a line a - b - c.
   */
  public void cut(String a, String b) {
    link(a, b).severed = true;
    refreshLinks();
  }

  /** Restores a link cut with {@link #cut}. */
  public void restore(String a, String b) {
    link(a, b).severed = false;
    refreshLinks();
  }

  /** Takes a node online or offline from now on, ending any online schedule it follows. */
  public void setOnline(String name, boolean online) {
    SimEndpoint node = node(name);
    stopSchedule(node);
    node.online = online;
    refreshLinks();
  }

  /** Whether a node is online now (closed nodes are not). */
  public boolean isOnline(String name) {
    SimEndpoint node = node(name);
    return node.online && !node.closed;
  }

  /** Whether the link between two nodes is up now. */
  public boolean connected(String a, String b) {
    return link(a, b).up;
  }

  /**
   * From now on, the node alternates online sessions and offline gaps so that it is online
   * {@code fraction} of the time on average. Sessions last {@code sessionMillis} on average and
   * gaps {@code sessionMillis * (1 - fraction) / fraction}; each length is drawn uniformly from
   * half to one and a half times its mean. Replaces the node's earlier schedule.
   */
  public void onlineSchedule(String name, double fraction, long sessionMillis) {
    if (!(fraction >= 0 && fraction <= 1) || sessionMillis < 1) {
      throw new IllegalArgumentException("need 0 <= fraction <= 1 and sessionMillis >= 1");
    }
    SimEndpoint node = node(name);
    stopSchedule(node);
    if (fraction == 0 || fraction == 1) {
      node.online = fraction == 1;
      refreshLinks();
      return;
    }
    SplittableRandom r = random.split();
    double gapMillis = sessionMillis * (1 - fraction) / fraction;
    node.online = r.nextDouble() < fraction;
    refreshLinks();
    scheduleSwitch(node, r, sessionMillis, gapMillis);
  }

  private void scheduleSwitch(SimEndpoint node, SplittableRandom r, double on, double off) {
    double mean = node.online ? on : off;
    long length = Math.max(1, Math.round(mean * (0.5 + r.nextDouble())));
    node.schedule = schedule(length, () -> {
      node.online = !node.online;
      refreshLinks();
      scheduleSwitch(node, r, on, off);
    });
  }

  /** Ends every online schedule; each node keeps the state it is in. */
  public void clearSchedules() {
    endpoints.values().forEach(this::stopSchedule);
  }

  private void stopSchedule(SimEndpoint node) {
    if (node.schedule != null) {
      node.schedule.cancel();
      node.schedule = null;
    }
  }

  /** Decides the kind each frame is counted under in {@link #stats()}; it must not consume. */
  public void setFrameKind(Function<ByteBuffer, String> kind) {
    this.frameKind = Objects.requireNonNull(kind, "kind");
  }

  public NetworkStats stats() {
    return stats.snapshot();
  }

  public void resetStats() {
    stats.reset();
  }

  /** When a frame was last accepted for sending; {@link #EPOCH_MILLIS} if none ever was. */
  public long lastSendTime() {
    return lastSendTime;
  }

  /** Why transports disconnected, in order, as {@code "from->to: reason"}. */
  public List<String> disconnectReasons() {
    return List.copyOf(disconnectReasons);
  }

  /** Runs the next event, advancing virtual time to it; false if there is none. */
  public boolean step() {
    enter();
    try {
      return stepOnce();
    } finally {
      running = false;
    }
  }

  /** Runs every event due up to {@code now() + millis}, and leaves the clock there. */
  public void runFor(long millis) {
    if (millis < 0) {
      throw new IllegalArgumentException("negative duration: " + millis);
    }
    runUntil(now + millis);
  }

  /** Runs every event due up to {@code time}, and leaves the clock there. */
  public void runUntil(long time) {
    if (time < now) {
      throw new IllegalArgumentException("time " + time + " is before now " + now);
    }
    enter();
    try {
      while (queue.nextTime() <= time) {
        stepOnce();
      }
      now = time;
    } finally {
      running = false;
    }
  }

  /**
   * Runs until no frame is in flight and none was sent for {@code quietMillis}; timers may keep
   * ticking meanwhile. Waiting for frames in flight matters on slow links: a frame still on its
   * way may well cause replies.
   *
   * @return when the last frame was sent, or the time of this call if none was sent during it
   * @throws IllegalStateException with a summary of the traffic if the network is not quiet by
   *     {@code now() + maxMillis}; the clock is left there
   */
  public long runUntilQuiet(long quietMillis, long maxMillis) {
    if (quietMillis < 1 || maxMillis < 0) {
      throw new IllegalArgumentException("need quietMillis >= 1 and maxMillis >= 0");
    }
    enter();
    try {
      long start = now;
      long deadline = now + maxMillis;
      NetworkStats before = stats.snapshot();
      while (true) {
        long quietAt = Math.max(lastSendTime, start) + quietMillis;
        long next = queue.nextTime();
        if (inFlight == 0 && next > quietAt && quietAt <= deadline) {
          now = Math.max(now, quietAt);
          return Math.max(lastSendTime, start);
        }
        if (next > deadline) {
          now = deadline;
          throw new IllegalStateException("network not quiet after " + maxMillis
              + " ms (last frame at +" + (lastSendTime - start) + " ms, " + inFlight
              + " in flight): " + stats.snapshot().minus(before).summary());
        }
        stepOnce();
      }
    } finally {
      running = false;
    }
  }

  private void enter() {
    if (running) {
      throw new IllegalStateException("the simulation is already running (called from an event?)");
    }
    running = true;
  }

  private boolean stepOnce() {
    EventQueue.Event e = queue.poll();
    if (e == null) {
      return false;
    }
    now = e.time;
    e.task.run();
    return true;
  }

  private EventQueue.Event schedule(long delay, Runnable task) {
    return queue.add(now + delay, task);
  }

  private SimEndpoint node(String name) {
    SimEndpoint node = endpoints.get(Objects.requireNonNull(name, "name"));
    if (node == null) {
      throw new IllegalArgumentException("no endpoint named " + name);
    }
    return node;
  }

  private SimLink link(String from, String to) {
    node(from);
    node(to);
    SimLink link = links.get(new Link(from, to));
    if (link == null) {
      throw new IllegalArgumentException("a node has no link to itself: " + from);
    }
    return link;
  }

  // ---- called by SimEndpoint ----

  CompletionStage<Void> send(SimEndpoint from, PeerId peer, ByteBuffer frame) {
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(frame, "frame");
    SimLink link = linkTo(from, peer);
    if (link == null || !link.up) {
      stats.refused++;
      return CompletableFuture.failedFuture(
          new IllegalStateException(from.name + " is not connected to " + peer));
    }
    // Copy now: the sender may reuse its buffer as soon as send returns.
    byte[] bytes = new byte[frame.remaining()];
    frame.duplicate().get(bytes);
    SimEndpoint to = link.other(from);
    stats.sent(from.name, to.name, frameKind.apply(ByteBuffer.wrap(bytes).asReadOnlyBuffer()),
        bytes.length);
    lastSendTime = now;
    LinkConditions c = link.conditionsFrom(from);
    SplittableRandom r = link.randomFrom(from);
    if (ordered) {
      return sendOrdered(link, from, to, bytes, c, r);
    }
    if (r.nextDouble() < c.drop()) {
      stats.dropped++;
    } else {
      deliverLater(link, from, to, bytes, delay(r, c));
      if (r.nextDouble() < c.duplicate()) {
        stats.duplicated++;
        deliverLater(link, from, to, bytes.clone(), delay(r, c));
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  /**
   * A frame on a TCP-like link: it waits behind the frames sent before it, or it is lost and
   * takes the connection with it. A write to a breaking connection fails at once or seems to
   * succeed, the reset coming only later, as TCP does either way; both go to the sender.
   */
  private CompletionStage<Void> sendOrdered(SimLink link, SimEndpoint from, SimEndpoint to,
      byte[] bytes, LinkConditions c, SplittableRandom r) {
    if (r.nextDouble() < c.drop()) {
      stats.dropped++;
      boolean reported = r.nextBoolean();
      cutFor(link, DISCONNECT_CUT_MILLIS);
      return reported
          ? CompletableFuture.failedFuture(new IllegalStateException(
              "connection " + from.name + "->" + to.name + " broke"))
          : CompletableFuture.completedFuture(null);
    }
    long arrival = Math.max(now + delay(r, c), link.lastArrivalFrom(from));
    link.setLastArrivalFrom(from, arrival);
    // Equal times run in the order queued, so a frame due with an earlier one stays behind it.
    deliverLater(link, from, to, bytes, arrival - now);
    return CompletableFuture.completedFuture(null);
  }

  private static long delay(SplittableRandom r, LinkConditions c) {
    long spread = c.maxDelayMillis() - c.minDelayMillis();
    return c.minDelayMillis() + (spread == 0 ? 0 : r.nextLong(spread + 1));
  }

  /**
   * The link a node's peer id names, or null. On an ordered network the id names a connection,
   * and only that connection's: a link that went down since gives null too.
   */
  private SimLink linkTo(SimEndpoint from, PeerId peer) {
    if (!ordered) {
      return links.get(new Link(from.name, peer.value()));
    }
    String id = peer.value();
    int hash = id.lastIndexOf('#');
    if (hash < 0) {
      return null;
    }
    SimLink link = links.get(new Link(from.name, id.substring(0, hash)));
    return link != null && id.substring(hash + 1).equals(Long.toString(link.session))
        ? link : null;
  }

  /** How {@code node} is known to its peer on the connection that began at {@code session}. */
  private PeerId peerId(SimEndpoint node, long session) {
    return ordered ? PeerId.of(node.name + "#" + session) : node.id;
  }

  private void deliverLater(SimLink link, SimEndpoint from, SimEndpoint to, byte[] bytes,
      long delay) {
    long session = link.session;
    PeerId sender = peerId(from, session);
    link.inFlight++;
    inFlight++;
    schedule(delay, () -> {
      if (link.session != session) {
        return; // the link went down meanwhile; counted as lost then
      }
      link.inFlight--;
      inFlight--;
      stats.delivered++;
      to.listener.frame(sender, ByteBuffer.wrap(bytes));
    });
  }

  void disconnect(SimEndpoint from, PeerId peer, String reason) {
    if (from.closed) {
      return;
    }
    disconnectReasons.add(from.name + "->" + peer + ": " + reason);
    SimLink link = linkTo(from, peer);
    if (link == null) {
      return;
    }
    cutFor(link, DISCONNECT_CUT_MILLIS);
  }

  private void cutFor(SimLink link, long millis) {
    link.cutUntil = now + millis;
    refresh(link);
    // A later cut moves cutUntil on; this refresh then finds the cut still on.
    schedule(millis, () -> refresh(link));
  }

  void close(SimEndpoint node) {
    if (node.closed) {
      return;
    }
    node.closed = true;
    stopSchedule(node);
    refreshLinks();
  }

  /** Brings every link in line with the nodes' states, the partition and the cuts. */
  void refreshLinks() {
    for (SimLink link : linkOrder) {
      refresh(link);
    }
  }

  private void refresh(SimLink link) {
    boolean up = link.a.reachable() && link.b.reachable()
        && groupOf.getOrDefault(link.a.name, UNGROUPED)
            .equals(groupOf.getOrDefault(link.b.name, UNGROUPED))
        && now >= link.cutUntil && !link.severed;
    if (up == link.up) {
      return;
    }
    // A connection is named by the session it began: the next one up, or the one now ending.
    long connection = up ? link.session + 1 : link.session;
    link.up = up;
    link.session++;
    if (!up) {
      link.resetArrivals();
      stats.lostInFlight += link.inFlight;
      inFlight -= link.inFlight;
      link.inFlight = 0;
    }
    announce(link.a, peerId(link.b, connection), up);
    announce(link.b, peerId(link.a, connection), up);
  }

  private void announce(SimEndpoint to, PeerId peer, boolean up) {
    schedule(0, () -> {
      if (to.closed) {
        return;
      }
      if (up) {
        to.listener.peerUp(peer);
      } else {
        to.listener.peerDown(peer);
      }
    });
  }
}
