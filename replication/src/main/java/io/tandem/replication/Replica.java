package io.tandem.replication;

import io.tandem.crdt.Crdt;
import io.tandem.crdt.Dot;
import io.tandem.crdt.Hlc;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.crdt.codec.CodecException;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.protocol.Message;
import io.tandem.replication.protocol.Message.SnapshotChunk;
import io.tandem.replication.protocol.Message.SnapshotOffer;
import io.tandem.replication.protocol.MessageCodec;
import io.tandem.replication.protocol.ProtocolException;
import io.tandem.replication.protocol.ProtocolException.Reason;
import io.tandem.replication.protocol.SessionConfig;
import io.tandem.replication.protocol.SyncSession;
import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.PeerListener;
import io.tandem.replication.spi.PendingAppend;
import io.tandem.replication.spi.ReplicaStore;
import io.tandem.replication.spi.Snapshot;
import io.tandem.replication.spi.Scheduler;
import io.tandem.replication.spi.StoreException;
import io.tandem.replication.spi.SyncBase;
import io.tandem.replication.spi.Transport;
import io.tandem.replication.spi.WallClock;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One device's replica: named CRDT objects, a causal delta log per origin, and a sync session
 * with every connected peer.
 *
 * <p>A write applies the app's mutation, gives its delta the next dot of this replica's feed and
 * the dependencies of that moment, and returns once the delta is stored; then listeners hear of
 * it and peers are sent it. Deltas from peers, of any origin, are applied in causal order (a
 * delta waits in a bounded buffer until everything it depends on is here), stored, acknowledged
 * and passed on to the other peers, so writes travel phone → PC → tablet when phone and tablet
 * never meet. Every method is safe to call from any thread.
 */
public final class Replica implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(Replica.class.getName());

  private final ReentrantLock lock = new ReentrantLock();
  private final ReplicaId id;
  private final ReplicaStore store;
  private final List<Transport> transports;
  private final WallClock clock;
  private final Scheduler scheduler;
  private final boolean ownScheduler;
  private final ReplicaConfig config;
  /** Peers whose acknowledged vector grew since it was last saved. */
  private final Set<ReplicaId> unsavedPeers = new LinkedHashSet<>();
  private final SessionConfig sessionConfig;
  /** The newest records of each feed, which sessions send without reading the store. */
  private final RecentRecords recent;
  private static final int RECENT_RECORDS = 64 * 1024;

  private final Map<String, Crdt<?>> objects = new HashMap<>();
  private VersionVector vector;
  /** The vector, less our own feed, when we last wrote: deps are what grew since. */
  private VersionVector lastDeps;
  private Hlc hlc;
  /**
   * Own records above {@code vector.get(id)}: queued in the store and neither readable nor sent
   * until durable and published in order.
   */
  private OwnWrites writes;
  /** Changes published and not yet told to listeners, in publication order. */
  private final ArrayDeque<Change> unfired = new ArrayDeque<>();
  /** Own writes settled and not yet told to their callers, told after the listeners. */
  private final ArrayDeque<Runnable> untold = new ArrayDeque<>();
  /** Whether a thread is telling listeners: one at a time, so they hear one order. */
  private boolean firing;
  private final CausalBuffer buffer;
  private final Map<Link, SyncSession> sessions = new LinkedHashMap<>();
  private final Receipts receipts = new Receipts();
  /** Per peer, what a session start is written against; kept in the store as well. */
  private final Map<ReplicaId, SyncBase> bases = new HashMap<>();
  private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
  /** Per session, frames handed to its transport that it has not taken yet. */
  private final Map<SyncSession, AtomicInteger> unsent = new WeakHashMap<>();
  /** Frames a transport could not take, told to their sessions at the next tick. */
  private final ConcurrentLinkedQueue<LostFrame> lostFrames = new ConcurrentLinkedQueue<>();
  private final SyncSession.Local local;
  /** Records one session is about to receive, so that no other session requests them too. */
  private final Claims claims = new Claims();
  private Scheduler.Cancellable tickTask;
  private long sessionSeeds;
  private boolean closed;

  private long heldForClock;
  private long duplicates;
  private long applied;
  private long rejected;
  private long framesIn;
  private long framesOut;
  private long bytesIn;
  private long bytesOut;
  private long sessionsClosed;
  private String lastCloseReason;

  private final Compactor compactor;
  /** The vector of the store's snapshot. */
  private VersionVector snapshotVector;
  private final SnapshotTransfer transfer;
  /** Snapshots installed and not yet told to listeners. */
  private final List<Installed> installedEvents = new ArrayList<>();

  /** A fetched snapshot installed, as listeners hear of it. */
  private record Installed(VersionVector before, VersionVector after, Set<String> objects) {}

  /** A message whose frame the transport failed to take. */
  private record LostFrame(SyncSession session, Message message) {}

  /** A connection: a peer as one of the replica's transports knows it. */
  private record Link(Transport transport, PeerId peer) {
    @Override
    public String toString() {
      return peer.toString();
    }
  }

  public static ReplicaBuilder builder() {
    return new ReplicaBuilder();
  }

  Replica(ReplicaId requested, ReplicaStore store, List<Transport> transports, WallClock clock,
      Scheduler scheduler, boolean ownScheduler, ReplicaConfig config) {
    this.store = store;
    this.transports = List.copyOf(transports);
    this.clock = clock;
    this.scheduler = scheduler;
    this.ownScheduler = ownScheduler;
    this.config = config;
    this.recent = new RecentRecords(config.session().windowRecords(), RECENT_RECORDS);
    this.sessionConfig = config.session()
        .withInteractive(config.mode() == SyncMode.INTERACTIVE);
    this.buffer = new CausalBuffer(config.maxBufferedDeltas(), config.maxBufferedBytes());
    ReplicaId stored = store.replicaId().orElse(null);
    if (stored != null && requested != null && !stored.equals(requested)) {
      throw new IllegalStateException("store belongs to replica " + stored + ", not "
          + requested);
    }
    this.id = stored != null ? stored : requested != null ? requested : ReplicaId.random();
    store.bind(id);
    Replay replay = Replay.of(store, id);
    objects.putAll(replay.objects());
    vector = replay.vector();
    writes = new OwnWrites(id, vector.get(id));
    hlc = replay.clock();
    snapshotVector = replay.snapshotVector();
    store.peerVectors().forEach(receipts::learn);
    bases.putAll(store.syncBases());
    long openedAt = clock.millis();
    this.compactor = new Compactor(config.compactionBatch(), config.forgetAfterMillis(),
        receipts.known().keySet(), openedAt);
    this.transfer = new SnapshotTransfer(store, config.limits(),
        2 * sessionConfig.maxBackoffMillis(), openedAt);
    transfer.held(vector);
    this.local = new LocalView(true);
    this.sessionSeeds = config.seed() ^ id.value();
    for (Transport t : this.transports) {
      t.start(new Listener(t));
    }
    scheduleTick();
  }

  public ReplicaId id() {
    return id;
  }

  /**
   * Writes to {@code object}: {@code mutation} gets its current value (or {@code empty}) and
   * returns one mutator's delta. Returns once the delta is durable and visible to reads.
   *
   * <p>Writes from several threads overlap: each takes its dot and queues its record under the
   * lock, awaits durability outside it (so the store can commit many in one go), then the
   * durable records are published in dot order. A record is read or sent to peers only once it
   * is durable. If the store fails a write, that write and every later one queued throw, and the
   * replica refuses writes until it is reopened: no dot is left out or given twice.
   *
   * @throws IllegalArgumentException if the object holds another type than {@code empty}'s
   * @throws IllegalStateException if the replica is closed
   * @throws StoreException if the store failed this write or an earlier one
   */
  public <T extends Crdt<T>> Write update(String object, T empty, Mutation<T> mutation) {
    OwnWrites.Queued q = enqueue(object, empty, mutation);
    if (q == null) {
      return new Write(this, null);
    }
    if (q.append() != null) {
      RuntimeException failure = null;
      try {
        q.append().await(); // on this thread: a lone writer commits without a hand-off
      } catch (RuntimeException e) {
        failure = e;
      }
      settle(q, failure);
    } else {
      fireUnfired(); // the store refused it at once: tell the writes it dropped
    }
    try {
      return q.result().join();
    } catch (java.util.concurrent.CompletionException e) {
      throw (RuntimeException) e.getCause();
    }
  }

  /**
   * Writes to {@code object} as {@link #update} does, without waiting: the mutation runs, and the
   * write takes its dot and is queued, before this returns; the stage completes once the write
   * is durable and visible to reads (listeners have heard of it), or exceptionally with the
   * {@link StoreException} {@code update} would throw. Stages complete in dot order, on a thread
   * of the store or of whichever write published them, never under the replica's lock. Many
   * writes in flight share the store's commits; the caller bounds how many it keeps in flight
   * (the store makes {@code updateAsync} wait when its queue is full).
   *
   * @throws IllegalArgumentException if the object holds another type than {@code empty}'s
   * @throws IllegalStateException if the replica is closed
   */
  public <T extends Crdt<T>> CompletableFuture<Write> updateAsync(String object, T empty,
      Mutation<T> mutation) {
    OwnWrites.Queued q;
    try {
      q = enqueue(object, empty, mutation);
    } catch (StoreException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (q == null) {
      return CompletableFuture.completedFuture(new Write(this, null));
    }
    if (q.append() == null) {
      fireUnfired(); // the store refused it at once: tell the writes it dropped
      return q.result().copy();
    }
    q.append().whenDurable().whenComplete((v, t) -> settle(q, t == null ? null
        : t instanceof java.util.concurrent.CompletionException && t.getCause() != null
            ? asRuntime(t.getCause()) : asRuntime(t)));
    return q.result().copy();
  }

  private static RuntimeException asRuntime(Throwable t) {
    return t instanceof RuntimeException re ? re
        : new StoreException("append failed: " + t, t);
  }

  /**
   * Applies {@code mutation} to what {@code object} holds with the queued own writes, takes the
   * next dot and queues the record in the store; null if the mutation changed nothing.
   */
  private <T extends Crdt<T>> OwnWrites.Queued enqueue(String object, T empty,
      Mutation<T> mutation) {
    DeltaRecord.checkObjectName(object);
    lock.lock();
    try {
      ensureOpen();
      writes.checkWritable();
      @SuppressWarnings("unchecked")
      T current = (T) writes.working(object, typed(object, empty));
      long now = clock.millis();
      Hlc stamp = hlc.tick(now);
      T delta = mutation.apply(current, new WriteContext(id, stamp));
      T next = current.merge(delta);
      if (next == current) {
        return null;
      }
      long seq = writes.nextSeq();
      VersionVector others = vector.with(id, 0);
      VersionVector deps = lastDeps == null ? others : grown(others, lastDeps);
      // The record names its origin, so the payload need not: eight bytes less per delta.
      DeltaRecord r = new DeltaRecord(id, seq, deps, stamp, object,
          BinaryCodec.encode(delta, id));
      PendingAppend append;
      try {
        append = store.appendQueued(List.of(r));
      } catch (RuntimeException e) {
        writes.refuse(seq, e).forEach(this::tellLost);
        return new OwnWrites.Queued(r, delta, null, CompletableFuture.failedFuture(e));
      }
      hlc = stamp;
      lastDeps = others;
      OwnWrites.Queued q = new OwnWrites.Queued(r, delta, append, new CompletableFuture<>());
      writes.issued(q, next);
      return q;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Own write {@code q} is durable, or failed with {@code failure}: publishes what now can be,
   * then tells listeners and the callers of the writes settled, in order, outside the lock.
   */
  private void settle(OwnWrites.Queued q, RuntimeException failure) {
    lock.lock();
    try {
      if (failure != null) {
        writes.refuse(q.seq(), failure).forEach(this::tellLost);
        RuntimeException why = writes.failure(q.seq(), failure);
        untold.add(() -> q.result().completeExceptionally(why));
      } else if (writes.lost(q.seq())) {
        tellLost(q);
      } else {
        writes.durable(q);
        publishDurable();
      }
    } finally {
      lock.unlock();
    }
    fireUnfired();
  }

  /** Queues telling the caller of {@code q} that it was dropped after an earlier write failed. */
  private void tellLost(OwnWrites.Queued q) {
    RuntimeException why = writes.failure(q.seq(), null);
    untold.add(() -> q.result().completeExceptionally(why));
  }

  /**
   * Publishes the durable own records that continue the vector without a gap: their deltas are
   * joined into the objects (so the order of concurrent writes does not matter), listeners are
   * queued, peers told, callers queued to be told. Called under the lock.
   */
  private void publishDurable() {
    long now = -1;
    for (OwnWrites.Queued q = writes.next(vector.get(id)); q != null;
        q = writes.next(vector.get(id))) {
      DeltaRecord r = q.record();
      Crdt<?> current = objects.get(r.object());
      if (current != null && current.getClass() != q.delta().getClass()) {
        // A peer created the object with another type while this write was queued.
        rejected++;
        LOG.log(Level.ERROR, "object {0} holds a {1}; own {2} carries a {3}; not applied",
            r.object(), current.getClass().getSimpleName(), r,
            q.delta().getClass().getSimpleName());
      } else {
        objects.put(r.object(), current == null
            ? Crdts.merge(Crdts.emptyLike(q.delta()), q.delta()) : Crdts.merge(current, q.delta()));
      }
      vector = vector.with(id, r.seq());
      recent.add(r);
      unfired.add(new Change(r.object(), id, r.seq(), true));
      Write w = new Write(this, new Dot(id, r.seq()));
      CompletableFuture<Write> result = q.result();
      untold.add(() -> result.complete(w));
      now = clock.millis();
    }
    if (now >= 0) {
      afterChange(now);
    }
  }

  /** The current value of {@code object}, or {@code empty} if nothing was written to it. */
  public <T extends Crdt<T>> T get(String object, T empty) {
    lock.lock();
    try {
      return typed(object, empty);
    } finally {
      lock.unlock();
    }
  }

  /** The names of the objects written so far. */
  public Set<String> objects() {
    lock.lock();
    try {
      return Collections.unmodifiableSet(new TreeSet<>(objects.keySet()));
    } finally {
      lock.unlock();
    }
  }

  /** Per origin, the records this replica holds (all stored). */
  public VersionVector vector() {
    lock.lock();
    try {
      return vector;
    } finally {
      lock.unlock();
    }
  }

  public void addListener(ChangeListener listener) {
    listeners.add(listener);
  }

  public void removeListener(ChangeListener listener) {
    listeners.remove(listener);
  }

  /** The sync status of every peer this replica has met, connected or not. */
  public Map<ReplicaId, PeerStatus> peers() {
    lock.lock();
    try {
      Map<ReplicaId, PeerStatus> out = new LinkedHashMap<>();
      for (SyncSession s : sessions.values()) {
        if (s.isOpen()) {
          out.put(s.peer(), new PeerStatus(s.peer(), true, s.pendingOut(), s.pendingIn(),
              s.lastExchange(), s.peerVector()));
        }
      }
      receipts.known().forEach((peer, v) -> out.computeIfAbsent(peer, p -> new PeerStatus(p,
          false, gap(vector, v), gap(v, vector), -1, v)));
      return out;
    } finally {
      lock.unlock();
    }
  }

  public ReplicaMetrics metrics() {
    lock.lock();
    try {
      return new ReplicaMetrics(buffer.size(), buffer.bytes(), buffer.evictions(), heldForClock,
          duplicates, applied, rejected, framesIn, framesOut, bytesIn, bytesOut, sessionsClosed,
          lastCloseReason);
    } finally {
      lock.unlock();
    }
  }

  /** Stops syncing and closes the transport, the timers and the store. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      saveLearnedPeers();
      closed = true;
      if (tickTask != null) {
        tickTask.cancel();
      }
      sessions.clear();
      receipts.fail("replica " + id + " closed");
    } finally {
      lock.unlock();
    }
    for (Transport t : transports) {
      t.close();
    }
    if (ownScheduler) {
      scheduler.close();
    }
    store.close();
  }

  // --- compaction ---

  /**
   * Folds into the snapshot the records every peer that still counts holds, at most the
   * configured batch of them (1024 when automatic compaction is off), and drops them from the
   * log. Peers silent for longer than the forget-after time no longer count. The replica calls
   * this itself after acknowledgements when compaction is on, once a batch of stable records
   * waits or writing paused; the folding runs outside the replica's lock, so writes go on
   * meanwhile.
   *
   * @return the snapshot's vector after the run
   */
  public VersionVector compact() {
    return compact(false);
  }

  /** @param automatic whether the tick runs it: then only when worth a run's cost */
  private VersionVector compact(boolean automatic) {
    Snapshot base;
    VersionVector target;
    long purges;
    lock.lock();
    try {
      if (closed) {
        return VersionVector.empty();
      }
      target = compactor.target(vector, receipts.known(), clock.millis());
      if (automatic && !compactor.worthARun(target, snapshotVector)) {
        return snapshotVector;
      }
      purges = store.purges(); // before anything the fold reads
      base = store.snapshot();
    } finally {
      lock.unlock();
    }
    Snapshot next = Compactor.fold(store, base, target, compactor.batch());
    lock.lock();
    try {
      if (closed) {
        return VersionVector.empty();
      }
      if (next == null || !snapshotVector.equals(base.vector())) {
        return snapshotVector; // nothing stable, or a fetched snapshot came first
      }
      if (!store.saveSnapshotUnlessPurged(next, purges)) {
        compactor.refused(); // next holds payloads a purge replaced since: fold them again
        return snapshotVector;
      }
      recent.clear();
      snapshotVector = next.vector();
      transfer.snapshotChanged();
      compactor.folded(next, target);
      return next.vector();
    } finally {
      lock.unlock();
    }
  }

  /** Compaction runs that folded records, since the replica opened. */
  long compactions() {
    lock.lock();
    try {
      return compactor.runs();
    } finally {
      lock.unlock();
    }
  }

  // --- snapshot transfer ---

  /**
   * Installs a snapshot fetched whole and verified by hash: its objects are joined into this
   * replica's, its vector into this replica's, and the store keeps the join of both snapshots.
   * A snapshot whose content does not hold changes nothing.
   */
  private void install(byte[] bytes, long now, List<Change> changes) {
    SnapshotTransfer.Fetched got = transfer.check(bytes, id, vector, objects);
    if (got == null) {
      return;
    }
    Snapshot next = SnapshotTransfer.join(store.snapshot(), got);
    try {
      store.installSnapshot(next);
      recent.clear();
    } catch (IllegalArgumentException e) {
      LOG.log(Level.ERROR, "store cannot install the fetched snapshot: {0}", e.getMessage());
      return;
    }
    got.objects().forEach((name, v) -> {
      objects.merge(name, v, Crdts::merge);
      writes.changed(name);
    });
    VersionVector before = vector;
    vector = vector.merge(got.snapshot().vector());
    if (got.snapshot().clock() != null) {
      // A write after this one must be stamped above every value the snapshot brought.
      hlc = hlc.receive(got.snapshot().clock(), now, config.maxClockOffsetMillis());
    }
    snapshotVector = next.vector();
    transfer.installed(vector);
    installedEvents.add(new Installed(before, vector,
        Collections.unmodifiableSet(new TreeSet<>(got.objects().keySet()))));
    applyDeliverable(now, changes);
    afterChange(now);
  }

  /** Snapshot chunks verified and rejected, and snapshots installed, since the replica opened. */
  long[] transferCounts() {
    lock.lock();
    try {
      return transfer.counts();
    } finally {
      lock.unlock();
    }
  }

  // --- bundles (sneakernet) ---

  /**
   * The frames of a bundle for a peer that holds {@code peerHas}: this replica's hello, then
   * every record the peer lacks, feed by feed in order, in bounded batches.
   */
  public List<ByteBuffer> exportBundle(VersionVector peerHas) {
    lock.lock();
    try {
      ensureOpen();
      List<ByteBuffer> frames = new ArrayList<>();
      frames.add(MessageCodec.encode(new Message.Hello(Message.VERSION, id, false, true)));
      for (int i = 0; i < vector.size(); i++) {
        ReplicaId origin = vector.replicaAt(i);
        long next = peerHas.get(origin) + 1;
        while (next <= vector.counterAt(i)) {
          List<DeltaRecord> run = store.readFeed(origin, next,
              (int) Math.min(sessionConfig.batchRecords(), vector.counterAt(i) - next + 1));
          if (run.isEmpty()) {
            throw new IllegalStateException("feed " + origin + " from " + next
                + " is no longer in the log; the peer needs a snapshot");
          }
          frames.add(MessageCodec.encode(new Message.Deltas(run)));
          next = run.get(run.size() - 1).seq() + 1;
        }
      }
      return frames;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Applies a bundle's frames as if its author were a connected peer: same validation, same
   * causal order, same store. The whole bundle is checked first; a bad frame refuses all of it.
   *
   * @return the number of records applied
   * @throws ProtocolException if a frame breaks the protocol; nothing is applied then
   */
  public int importBundle(List<ByteBuffer> frames) throws ProtocolException {
    List<Message> messages = new ArrayList<>(frames.size());
    for (ByteBuffer f : frames) {
      messages.add(MessageCodec.decode(f, config.limits()));
      if (messages.size() == 1) {
        // The version first: another version's records would be misread, not refused for it.
        if (!(messages.get(0) instanceof Message.Hello hello)) {
          throw new ProtocolException(Reason.VIOLATION, "a bundle starts with its author's hello");
        }
        if (hello.version() != Message.VERSION) {
          throw new ProtocolException(Reason.UNSUPPORTED_VERSION, "bundle speaks version "
              + hello.version() + ", this is " + Message.VERSION);
        }
      }
    }
    if (messages.isEmpty()) {
      throw new ProtocolException(Reason.VIOLATION, "a bundle starts with its author's hello");
    }
    Message.Hello hello = (Message.Hello) messages.get(0);
    List<Change> changes = new ArrayList<>();
    long before;
    lock.lock();
    try {
      ensureOpen();
      // Everything a session could refuse midway is checked up front, across all frames, so a
      // bundle applies whole or not at all.
      if (hello.replica().equals(id)) {
        throw new ProtocolException(Reason.VIOLATION, "bundle claims to come from this replica");
      }
      List<DeltaRecord> all = new ArrayList<>();
      for (Message m : messages.subList(1, messages.size())) {
        if (!(m instanceof Message.Deltas d)) {
          throw new ProtocolException(Reason.VIOLATION, "a bundle holds only deltas, not "
              + m.getClass().getSimpleName());
        }
        for (DeltaRecord r : d.records()) {
          if (r.origin().equals(id) && r.seq() > vector.get(id)) {
            throw new ProtocolException(Reason.VIOLATION, "bundle holds " + r
                + " of this replica's own feed, which it never wrote");
          }
        }
        all.addAll(d.records());
      }
      validate(unheld(all));
      before = applied + rejected;
      // A file hears nothing we say, so its session must not change the base kept for its author.
      SyncSession s = new SyncSession(new LocalView(false), sessionConfig, sessionSeeds++);
      Link link = new Link(DISCARD, PeerId.of("bundle"));
      sessions.put(link, s);
      try {
        s.start(clock.millis());
        for (ByteBuffer f : frames) {
          onFrame(link, f.duplicate(), changes);
        }
      } finally {
        sessions.remove(link);
      }
      unfired.addAll(changes);
    } finally {
      lock.unlock();
    }
    fireUnfired();
    return (int) (applied + rejected - before);
  }

  /** What a session reads of this replica; {@code keepsBases} is false for a bundle's. */
  private final class LocalView implements SyncSession.Local {
    private final boolean keepsBases;

    LocalView(boolean keepsBases) {
      this.keepsBases = keepsBases;
    }

    @Override
    public ReplicaId id() {
      return id;
    }

    @Override
    public VersionVector vector() {
      return vector;
    }

    @Override
    public List<DeltaRecord> read(ReplicaId origin, long fromSeq, int max) {
      // The store may hold own records durable but not yet published: they stay unsent.
      long room = vector.get(origin) - fromSeq + 1;
      if (room <= 0) {
        return List.of();
      }
      int n = (int) Math.min(max, room);
      List<DeltaRecord> held = recent.read(origin, fromSeq, n);
      return held != null ? held : store.readFeed(origin, fromSeq, n);
    }

    @Override
    public SyncBase base(ReplicaId peer) {
      return keepsBases ? bases.getOrDefault(peer, SyncBase.NONE) : SyncBase.NONE;
    }

    @Override
    public void saveBase(ReplicaId peer, SyncBase base) {
      if (keepsBases) {
        bases.put(peer, base);
        store.saveSyncBase(peer, base);
      }
    }

    @Override
    public boolean relayOpen() {
      for (SyncSession s : sessions.values()) {
        if (s.peerIsRelay()) {
          return true;
        }
      }
      return false;
    }

    @Override
    public long claim(ReplicaId origin, long from, long to, Object by, long now, long until) {
      return keepsBases ? claims.claim(origin, from, to, by, now, until) : from;
    }

    @Override
    public VersionVector snapshotVector() {
      return snapshotVector;
    }

    @Override
    public SnapshotOffer snapshotOffer() {
      return transfer.served(snapshotVector);
    }

    @Override
    public byte[] snapshotChunk(byte[] hash, long offset, int max) {
      return transfer.serve(hash, offset, max);
    }

    @Override
    public List<Message> snapshotOffered(SnapshotOffer offer, long now)
        throws ProtocolException {
      return transfer.offered(offer, id, vector, now);
    }

    @Override
    public List<Message> snapshotChunk(SnapshotChunk chunk, long now) {
      return transfer.chunk(chunk, now);
    }
  }

  /** Where the replies to a bundle's frames go: nowhere, a file does not listen. */
  private static final Transport DISCARD = new Transport() {
    @Override
    public void start(PeerListener listener) {}

    @Override
    public java.util.concurrent.CompletionStage<Void> send(PeerId peer, ByteBuffer frame) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void disconnect(PeerId peer, String reason) {}

    @Override
    public void close() {}
  };

  // --- receipts ---

  /**
   * The write {@code dot} names, made here or on any other device, to follow its receipts: an
   * app that shows "on PC ✓" for every note, after a restart too, keeps only the dots. A dot
   * this replica does not hold yet is allowed; its receipts complete once devices hold it.
   */
  public Write write(Dot dot) {
    return new Write(this, java.util.Objects.requireNonNull(dot, "dot"));
  }

  CompletableFuture<Set<ReplicaId>> receipt(Dot dot, List<ReplicaId> devices, int n) {
    lock.lock();
    try {
      return receipts.await(dot, devices, n);
    } finally {
      lock.unlock();
    }
  }

  Set<ReplicaId> holders(Dot dot) {
    lock.lock();
    try {
      return receipts.holders(dot);
    } finally {
      lock.unlock();
    }
  }

  // --- receiving ---

  private final class Listener implements PeerListener {
    private final Transport transport;

    Listener(Transport transport) {
      this.transport = transport;
    }

    @Override
    public void peerUp(PeerId peer) {
      lock.lock();
      try {
        if (closed) {
          return;
        }
        Link link = new Link(transport, peer);
        SyncSession s = new SyncSession(local,
            sessionConfig.withOrdered(transport.ordered()), sessionSeeds++);
        sessions.put(link, s);
        send(link, s.start(clock.millis()));
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void peerDown(PeerId peer) {
      lock.lock();
      try {
        sessions.remove(new Link(transport, peer));
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void frame(PeerId peer, ByteBuffer frame) {
      frames(peer, List.of(frame));
    }

    /**
     * Frames that arrived together are stored as one: their records are buffered frame by frame
     * and applied, stored (one commit) and acknowledged (one ack per peer) once, after the last.
     */
    @Override
    public void frames(PeerId peer, List<ByteBuffer> frames) {
      List<Change> changes = new ArrayList<>();
      List<Installed> installed;
      lock.lock();
      try {
        if (!closed) {
          Link link = new Link(transport, peer);
          boolean received = false;
          for (ByteBuffer f : frames) {
            received |= onFrame(link, f, changes, false);
          }
          if (received && !closed) {
            applyDeliverable(clock.millis(), changes);
          }
        }
        installed = new ArrayList<>(installedEvents);
        installedEvents.clear();
        unfired.addAll(changes);
      } finally {
        lock.unlock();
      }
      fireInstalled(installed);
      fireUnfired();
    }
  }

  private void onFrame(Link peer, ByteBuffer frame, List<Change> changes) {
    onFrame(peer, frame, changes, true);
  }

  /**
   * Handles one frame; with {@code applyNow} false, records it brought wait in the buffer for the
   * caller to apply.
   *
   * @return whether the frame brought records to apply
   */
  private boolean onFrame(Link peer, ByteBuffer frame, List<Change> changes, boolean applyNow) {
    SyncSession s = sessions.get(peer);
    if (s == null) {
      return false; // a frame from a session that ended; nothing in it is owed
    }
    framesIn++;
    bytesIn += frame.remaining();
    long now = clock.millis();
    try {
      Message m = MessageCodec.decode(frame, config.limits());
      List<DeltaRecord> received = new ArrayList<>();
      long dupsBefore = s.duplicateRecords();
      List<Message> out = s.receive(m, now, received);
      duplicates += s.duplicateRecords() - dupsBefore;
      int arrived = received.size();
      received = unheld(received);
      duplicates += arrived - received.size();
      List<Crdt<?>> deltas = validate(received);
      send(peer, out);
      if (s.isOpen()) {
        learn(s, now);
      }
      byte[] fetched = transfer.takeCompleted();
      if (fetched != null) {
        install(fetched, now, changes);
      }
      for (int i = 0; i < received.size(); i++) {
        if (!buffer.add(received.get(i), deltas.get(i), vector)) {
          duplicates++; // twice in this frame, or covered by a snapshot the frame completed
        }
      }
      if (!deltas.isEmpty() && applyNow) {
        applyDeliverable(now, changes);
      }
      return !deltas.isEmpty();
    } catch (ProtocolException e) {
      endSession(peer, e);
      return false;
    }
  }

  /**
   * The records of {@code received} this replica neither applied nor buffered yet; the others
   * are duplicates, dropped unread. Their payloads are not decoded, so a replayed
   * record under a number already held changes nothing and closes nothing even if its payload is
   * garbage: what is held was validated when it first came, and a second copy is never used.
   */
  private List<DeltaRecord> unheld(List<DeltaRecord> received) {
    List<DeltaRecord> out = null;
    for (int i = 0; i < received.size(); i++) {
      DeltaRecord r = received.get(i);
      if (buffer.holds(r, vector)) {
        if (out == null) {
          out = new ArrayList<>(received.subList(0, i));
        }
      } else if (out != null) {
        out.add(r);
      }
    }
    return out == null ? received : out;
  }

  /**
   * Every record of a frame decodes to a delta its object can take, or none is applied.
   *
   * @return the decoded deltas, one per record, in order
   */
  private List<Crdt<?>> validate(List<DeltaRecord> records) throws ProtocolException {
    List<Crdt<?>> out = new ArrayList<>(records.size());
    Map<String, Class<?>> types = new HashMap<>();
    for (DeltaRecord r : records) {
      Object v;
      try {
        v = BinaryCodec.decode(r.payload(), r.origin());
      } catch (CodecException e) {
        throw new ProtocolException(Reason.VIOLATION, "payload of " + r + " does not decode: "
            + e.getMessage(), e);
      }
      if (Crdts.emptyLike(v) == null) {
        throw new ProtocolException(Reason.VIOLATION, "payload of " + r + " is no CRDT");
      }
      Crdt<?> existing = objects.get(r.object());
      Class<?> expected = existing != null ? existing.getClass()
          : types.getOrDefault(r.object(), v.getClass());
      if (!expected.equals(v.getClass())) {
        throw new ProtocolException(Reason.VIOLATION, "payload of " + r + " is a "
            + v.getClass().getSimpleName() + " but " + r.object() + " holds a "
            + expected.getSimpleName());
      }
      types.put(r.object(), v.getClass());
      out.add((Crdt<?>) v);
    }
    return out;
  }

  /** Applies, stores and acknowledges what the buffer can release, then tells every peer. */
  private void applyDeliverable(long now, List<Change> changes) {
    List<CausalBuffer.Received> ready = buffer.drain(vector, r -> {
      boolean ahead = r.hlc().isAheadOf(now, config.maxClockOffsetMillis());
      if (ahead) {
        heldForClock++;
      }
      return ahead;
    });
    if (ready.isEmpty()) {
      return;
    }
    List<DeltaRecord> records = new ArrayList<>(ready.size());
    for (CausalBuffer.Received x : ready) {
      records.add(x.record());
    }
    store.append(records);
    recent.add(records);
    for (CausalBuffer.Received x : ready) {
      DeltaRecord r = x.record();
      Crdt<?> delta = x.delta();
      Crdt<?> current = objects.get(r.object());
      if (current != null && current.getClass() != delta.getClass()) {
        // Two origins created one object with two types: an app bug. The feed must stay
        // gap-free, so the record counts as applied, and the mismatch is reported.
        rejected++;
        LOG.log(Level.ERROR, "object {0} holds a {1}; {2} carries a {3}; not applied",
            r.object(), current.getClass().getSimpleName(), r,
            delta.getClass().getSimpleName());
      } else {
        objects.put(r.object(), current == null
            ? Crdts.merge(Crdts.emptyLike(delta), delta) : Crdts.merge(current, delta));
        writes.changed(r.object());
        applied++;
      }
      vector = vector.with(r.origin(), r.seq());
      hlc = hlc.receive(r.hlc(), now, config.maxClockOffsetMillis());
      changes.add(new Change(r.object(), r.origin(), r.seq(), false));
    }
    afterChange(now);
  }

  /** Every session sends its acks and what its peer now lacks. */
  private void afterChange(long now) {
    for (Map.Entry<Link, SyncSession> e : new ArrayList<>(sessions.entrySet())) {
      send(e.getKey(), e.getValue().afterChange(now));
    }
    receipts.check();
  }

  private void learn(SyncSession s, long now) {
    boolean news = receipts.learn(s.peer(), s.peerVector());
    if (news) {
      // Saved on the next tick, not per ack: an ack arrives per frame, and a store commit per
      // ack made three devices on TLS spend their time committing acks. A crash that loses
      // the latest acks only makes this replica think a peer holds less than it does.
      unsavedPeers.add(s.peer());
    }
    compactor.heard(s.peer(), now, news);
  }

  private void endSession(Link peer, ProtocolException e) {
    sessionsClosed++;
    lastCloseReason = peer + ": " + e.getMessage();
    LOG.log(Level.WARNING, "closing session with {0}: {1}", peer, e.getMessage());
    sessions.remove(peer);
    peer.transport().disconnect(peer.peer(), e.getMessage());
  }

  private void send(Link peer, List<Message> messages) {
    if (messages.isEmpty()) {
      return;
    }
    SyncSession s = sessions.get(peer);
    AtomicInteger pending = s == null ? null
        : unsent.computeIfAbsent(s, k -> new AtomicInteger());
    for (Message m : messages) {
      ByteBuffer frame = MessageCodec.encode(m);
      framesOut++;
      bytesOut += frame.remaining();
      if (pending != null) {
        pending.incrementAndGet();
      }
      // Runs on whichever thread completes the send: no lock here, the next tick handles it.
      peer.transport().send(peer.peer(), frame).whenComplete((v, t) -> {
        if (pending != null) {
          pending.decrementAndGet();
        }
        if (t != null) {
          // A frame that cannot go is a lost frame: its session sends its records again.
          LOG.log(Level.DEBUG, "frame to {0} not sent: {1}", peer, t.getMessage());
          if (s != null) {
            lostFrames.add(new LostFrame(s, m));
          }
        }
      });
    }
  }

  // --- timers ---

  private void scheduleTick() {
    tickTask = scheduler.schedule(config.tickMillis(), this::tick);
  }

  private void tick() {
    List<Change> changes = new ArrayList<>();
    lock.lock();
    try {
      if (closed) {
        return;
      }
      long now = clock.millis();
      for (LostFrame l = lostFrames.poll(); l != null; l = lostFrames.poll()) {
        l.session().lost(l.message());
      }
      for (Map.Entry<Link, SyncSession> e : new ArrayList<>(sessions.entrySet())) {
        AtomicInteger pending = unsent.get(e.getValue());
        send(e.getKey(), e.getValue().tick(now, pending != null && pending.get() > 0));
      }
      if (buffer.size() > 0) {
        applyDeliverable(now, changes);
      }
      saveLearnedPeers();
      compactor.tick(now);
      scheduleTick();
      unfired.addAll(changes);
    } finally {
      lock.unlock();
    }
    fireUnfired();
    boolean compact;
    lock.lock();
    try {
      compact = !closed && compactor.due();
    } finally {
      lock.unlock();
    }
    if (compact) {
      compact(true);
    }
  }

  private void saveLearnedPeers() {
    for (ReplicaId peer : unsavedPeers) {
      store.savePeerVector(peer, receipts.known().get(peer));
    }
    unsavedPeers.clear();
  }

  // --- helpers ---

  @SuppressWarnings("unchecked")
  private <T extends Crdt<T>> T typed(String object, T empty) {
    Crdt<?> v = objects.get(object);
    if (v == null) {
      return empty;
    }
    if (v.getClass() != empty.getClass()) {
      throw new IllegalArgumentException("object " + object + " holds a "
          + v.getClass().getSimpleName() + ", not a " + empty.getClass().getSimpleName());
    }
    return (T) v;
  }

  private void fireInstalled(List<Installed> installed) {
    for (Installed e : installed) {
      for (ChangeListener l : listeners) {
        try {
          l.snapshotInstalled(e.before(), e.after(), e.objects());
        } catch (RuntimeException ex) {
          LOG.log(Level.WARNING, "change listener failed", ex);
        }
      }
    }
  }

  /**
   * Tells listeners the changes published so far, then the callers of the own writes settled,
   * unless another thread is at it (it then tells these too): listeners hear every change once,
   * one at a time, in publication order, and write callers hear in dot order after the listeners.
   */
  private void fireUnfired() {
    lock.lock();
    try {
      if (firing || unfired.isEmpty() && untold.isEmpty()) {
        return;
      }
      firing = true;
    } finally {
      lock.unlock();
    }
    boolean done = false;
    try {
      while (!done) {
        List<Change> batch;
        List<Runnable> tell;
        lock.lock();
        try {
          batch = new ArrayList<>(unfired);
          unfired.clear();
          tell = new ArrayList<>(untold);
          untold.clear();
          done = batch.isEmpty() && tell.isEmpty();
          if (done) {
            firing = false;
          }
        } finally {
          lock.unlock();
        }
        fire(batch);
        tell.forEach(Runnable::run);
      }
    } finally {
      if (!done) {
        lock.lock();
        try {
          firing = false;
        } finally {
          lock.unlock();
        }
      }
    }
  }

  private void fire(List<Change> changes) {
    for (Change c : changes) {
      for (ChangeListener l : listeners) {
        try {
          l.changed(c);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "change listener failed", e);
        }
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("replica " + id + " is closed");
    }
  }

  private static VersionVector grown(VersionVector now, VersionVector before) {
    long[] ids = new long[now.size()];
    long[] counters = new long[now.size()];
    int n = 0;
    for (int i = 0; i < now.size(); i++) {
      if (now.counterAt(i) > before.get(now.replicaAt(i))) {
        ids[n] = now.replicaAt(i).value();
        counters[n++] = now.counterAt(i);
      }
    }
    return VersionVector.ofSorted(java.util.Arrays.copyOf(ids, n),
        java.util.Arrays.copyOf(counters, n));
  }

  private static long gap(VersionVector a, VersionVector b) {
    long n = 0;
    for (int i = 0; i < a.size(); i++) {
      n += Math.max(0, a.counterAt(i) - b.get(a.replicaAt(i)));
    }
    return n;
  }

  @Override
  public String toString() {
    return "Replica(" + id + ", " + vector + ")";
  }
}
