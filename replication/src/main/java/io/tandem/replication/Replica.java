package io.tandem.replication;

import io.tandem.crdt.Crdt;
import io.tandem.crdt.Dot;
import io.tandem.crdt.Hlc;
import io.tandem.crdt.MvRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.protocol.ProtocolException;
import io.tandem.replication.protocol.SessionConfig;
import io.tandem.replication.protocol.SyncSession;
import io.tandem.replication.spi.PendingAppend;
import io.tandem.replication.spi.ReplicaStore;
import io.tandem.replication.spi.Scheduler;
import io.tandem.replication.spi.StoreException;
import io.tandem.replication.spi.SyncBase;
import io.tandem.replication.spi.Transport;
import io.tandem.replication.spi.WallClock;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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

  final ReentrantLock lock = new ReentrantLock();
  /** Changes only when {@link Identity} moves the replica off a reused id, under the lock. */
  volatile ReplicaId id;
  final ReplicaStore store;
  private final List<Transport> transports;
  final WallClock clock;
  private final Scheduler scheduler;
  private final boolean ownScheduler;
  final ReplicaConfig config;
  /** Peers whose acknowledged vector grew since it was last saved. */
  final Set<ReplicaId> unsavedPeers = new LinkedHashSet<>();
  final SessionConfig sessionConfig;
  /** The newest records of each feed, which sessions send without reading the store. */
  final RecentRecords recent;
  private static final int RECENT_RECORDS = 64 * 1024;

  /*
   * The state below is guarded by the lock. The classes of the replica's seams (Inbound for
   * what peers send, Sessions for what goes to them, Firing for listeners, Bundles, LocalView)
   * read and change it under that lock, as parts of this one object.
   */
  final Map<String, Crdt<?>> objects = new HashMap<>();
  VersionVector vector;
  /** The vector, less our own feed, when we last wrote: deps are what grew since. */
  private VersionVector lastDeps;
  Hlc hlc;
  /**
   * Own records above {@code vector.get(id)}: queued in the store and neither readable nor sent
   * until durable and published in order.
   */
  OwnWrites writes;
  final Firing firing = new Firing(lock);
  final CausalBuffer buffer;
  final Sessions sessions = new Sessions();
  final Receipts receipts = new Receipts();
  /** Per peer, what a session start is written against; kept in the store as well. */
  final Map<ReplicaId, SyncBase> bases = new HashMap<>();
  final SyncSession.Local local;
  /** Records one session is about to receive, so that no other session requests them too. */
  final Claims claims = new Claims();
  final Inbound inbound = new Inbound(this);
  final Expiry expiry = new Expiry(this);
  final Identity identity = new Identity(this);
  private final Bundles bundles = new Bundles(this);
  final EphemeralChannel ephemeral = new EphemeralChannel(this);
  private final Ticker ticker;
  long sessionSeeds;
  boolean closed;

  final Compactor compactor;
  /** The vector of the store's snapshot. */
  VersionVector snapshotVector;
  final SnapshotTransfer transfer;

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
    this.recent = new RecentRecords(RECENT_RECORDS, RECENT_RECORDS);
    this.sessionConfig = config.session()
        .withInteractive(config.mode() == SyncMode.INTERACTIVE);
    this.buffer = new CausalBuffer(config.maxBufferedDeltas(), config.maxBufferedBytes());
    ReplicaId stored = store.replicaId().orElse(null);
    if (requested != null && store.retiredIds().contains(requested)) {
      throw new IllegalStateException("replica " + requested + " was retired (its store was"
          + " restored or copied and it moved to " + stored + "); it is never used again");
    }
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
    expiry.learn(Expiry.OBJECT, objects.get(Expiry.OBJECT));
    expiry.opened(openedAt);
    this.local = new LocalView(this, true);
    this.sessionSeeds = config.seed() ^ id.value();
    for (Transport t : this.transports) {
      t.start(inbound.listener(t));
    }
    this.ticker = new Ticker(this, scheduler);
    ticker.schedule();
  }

  /** This replica's id; it changes if the replica finds it reused ({@link #retiredIds}). */
  public ReplicaId id() {
    return id;
  }

  /**
   * The ids this replica gave up on finding them reused, its store restored from a backup or
   * copied to another device ({@link ChangeListener#moved}); kept for good, never used again.
   */
  public Set<ReplicaId> retiredIds() {
    lock.lock();
    try {
      ensureOpen();
      return store.retiredIds();
    } finally {
      lock.unlock();
    }
  }

  /**
   * From now on this replica writes as {@code next}, to which the store is bound already
   * ({@link Identity}). Called under the lock while no own write is under way.
   */
  void movedTo(ReplicaId next) {
    id = next;
    writes = new OwnWrites(next, 0);
    hlc = new Hlc(hlc.wallMillis(), hlc.logical(), next);
    lastDeps = null; // the first write depends on the whole vector, the old feed included
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
    return write(Expiry.appObject(object), empty, mutation);
  }

  /**
   * Writes to {@code object} as {@link #update} does, and makes the object self-destruct: at the
   * writer's clock plus {@code ttl} it is removed from every replica and its payloads are purged
   * from every store (docs/PROTOCOL.md, Expiry). The deadline is written first, as a record of its
   * own; a later write with a longer ttl never postpones it. Give each self-destructing value an
   * object of its own: once dead, an object takes no more writes.
   *
   * @throws IllegalArgumentException as {@link #update}, or if {@code ttl} is not positive
   * @throws IllegalStateException if the replica is closed, or the object expired already
   * @throws StoreException as {@link #update}
   */
  public <T extends Crdt<T>> Write update(String object, T empty, Mutation<T> mutation,
      Duration ttl) {
    write(Expiry.OBJECT, OrMap.<String, MvRegister<Long>>empty(),
        expiry.registration(Expiry.appObject(object), ttl));
    return write(object, empty, mutation);
  }

  private <T extends Crdt<T>> Write write(String object, T empty, Mutation<T> mutation) {
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
      firing.fireUnfired(); // the store refused it at once: tell the writes it dropped
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
    return writeAsync(Expiry.appObject(object), empty, mutation);
  }

  /**
   * Writes to {@code object} as {@link #update(String, Crdt, Mutation, Duration)} does, without
   * waiting, as {@link #updateAsync(String, Crdt, Mutation)} does: the deadline's record and the
   * value's take their dots, in that order, before this returns. The stage completes with the
   * value's write once both are durable, or exceptionally if either failed.
   *
   * @throws IllegalArgumentException as {@link #update}, or if {@code ttl} is not positive
   * @throws IllegalStateException if the replica is closed, or the object expired already
   */
  public <T extends Crdt<T>> CompletableFuture<Write> updateAsync(String object, T empty,
      Mutation<T> mutation, Duration ttl) {
    CompletableFuture<Write> deadline = writeAsync(Expiry.OBJECT,
        OrMap.<String, MvRegister<Long>>empty(),
        expiry.registration(Expiry.appObject(object), ttl));
    return deadline.thenCombine(writeAsync(object, empty, mutation), (d, value) -> value);
  }

  private <T extends Crdt<T>> CompletableFuture<Write> writeAsync(String object, T empty,
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
      firing.fireUnfired(); // the store refused it at once: tell the writes it dropped
      return q.result().copy();
    }
    q.append().whenDurable().whenComplete((v, t) -> settle(q, t == null ? null
        : storeFailure(t)));
    return q.result().copy();
  }

  /** What a store's failed durability stage {@code t} means for the records it held. */
  static RuntimeException storeFailure(Throwable t) {
    Throwable cause = t instanceof java.util.concurrent.CompletionException
        && t.getCause() != null ? t.getCause() : t;
    return cause instanceof RuntimeException re ? re
        : new StoreException("append failed: " + cause, cause);
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
      long now = clock.millis();
      expiry.checkAlive(object, now);
      @SuppressWarnings("unchecked")
      T current = (T) writes.working(object, typed(object, empty));
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
        firing.tell(() -> q.result().completeExceptionally(why));
      } else if (writes.lost(q.seq())) {
        tellLost(q);
      } else {
        writes.durable(q);
        writes.durableWithGroup();
        publishDurable();
      }
    } finally {
      lock.unlock();
    }
    firing.fireUnfired();
  }

  /** Queues telling the caller of {@code q} that it was dropped after an earlier write failed. */
  private void tellLost(OwnWrites.Queued q) {
    RuntimeException why = writes.failure(q.seq(), null);
    firing.tell(() -> q.result().completeExceptionally(why));
  }

  /**
   * Publishes the durable own records that continue the vector without a gap: their deltas are
   * joined into the objects (so the order of concurrent writes does not matter), listeners are
   * queued, peers told, callers queued to be told. Called under the lock.
   */
  private void publishDurable() {
    long now = -1;
    long at = clock.millis();
    for (OwnWrites.Queued q = writes.next(vector.get(id)); q != null;
        q = writes.next(vector.get(id))) {
      DeltaRecord r = expiry.applying(q.record(), q.delta(), at);
      Crdt<?> current = objects.get(r.object());
      if (expiry.isDead(r.object(), at)) {
        // It died while the write was on its way to the store: metadata only.
      } else if (current != null && current.getClass() != q.delta().getClass()) {
        // A peer created the object with another type while this write was queued.
        inbound.countRejected();
        LOG.log(Level.ERROR, "object {0} holds a {1}; own {2} carries a {3}; not applied",
            r.object(), current.getClass().getSimpleName(), r,
            q.delta().getClass().getSimpleName());
      } else {
        objects.put(r.object(), current == null
            ? Crdts.merge(Crdts.emptyLike(q.delta()), q.delta()) : Crdts.merge(current, q.delta()));
      }
      vector = vector.with(id, r.seq());
      recent.add(r);
      firing.changed(new Change(r.object(), id, r.seq(), true));
      Write w = new Write(this, new Dot(id, r.seq()));
      CompletableFuture<Write> result = q.result();
      firing.tell(() -> result.complete(w));
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
      if (expiry.hidden(object, clock.millis())) {
        return empty;
      }
      return typed(object, empty);
    } finally {
      lock.unlock();
    }
  }

  /** The names of the objects written so far. */
  public Set<String> objects() {
    lock.lock();
    try {
      return expiry.visible(objects.keySet(), clock.millis());
    } finally {
      lock.unlock();
    }
  }

  /**
   * When {@code object} self-destructs ({@link #update(String, Crdt, Mutation, Duration)}), in
   * epoch milliseconds, to be compared with this replica's wall clock; empty if it never does.
   * Listeners hear of no change at that moment: an app showing the object refreshes then.
   */
  public OptionalLong expiresAt(String object) {
    lock.lock();
    try {
      Long d = expiry.deadline(object);
      return d == null ? OptionalLong.empty() : OptionalLong.of(d);
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
    firing.addListener(listener);
  }

  public void removeListener(ChangeListener listener) {
    firing.removeListener(listener);
  }

  // --- ephemeral channel ---

  /**
   * Sends {@code payload} under {@code topic} to every peer with a session open at this moment,
   * best effort: presence, "typing…". It is never stored, never resent and never passed on by
   * the peers; a peer offline now never gets it, not even after it reconnects. This replica's
   * own listeners do not hear it.
   *
   * @param topic 1-255 bytes of UTF-8
   * @param payload at most 64 KiB; copied
   * @return the number of peers it was handed to (0 when none is connected: nothing happens);
   *     the transport may still lose it
   * @throws IllegalArgumentException if the topic or the payload is beyond its limit
   * @throws IllegalStateException if the replica is closed
   */
  public int publish(String topic, byte[] payload) {
    return ephemeral.publish(topic, payload);
  }

  /** Hears what connected peers {@link #publish}. */
  public void addEphemeralListener(EphemeralListener listener) {
    ephemeral.addListener(listener);
  }

  public void removeEphemeralListener(EphemeralListener listener) {
    ephemeral.removeListener(listener);
  }

  /** The sync status of every peer this replica has met, connected or not. */
  public Map<ReplicaId, PeerStatus> peers() {
    lock.lock();
    try {
      Map<ReplicaId, PeerStatus> out = new LinkedHashMap<>();
      for (SyncSession s : sessions.all()) {
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
      return inbound.metrics(buffer, sessions);
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
      ticker.saveLearnedPeers();
      closed = true;
      ticker.cancel();
      inbound.close();
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
  VersionVector compact(boolean automatic) {
    return CompactionRun.run(this, automatic);
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
    return bundles.export(peerHas);
  }

  /**
   * Applies a bundle's frames as if its author were a connected peer: same validation, same
   * causal order, same store. The whole bundle is checked first; a bad frame refuses all of it.
   *
   * @return the number of records applied
   * @throws ProtocolException if a frame breaks the protocol; nothing is applied then
   */
  public int importBundle(List<ByteBuffer> frames) throws ProtocolException {
    return bundles.importFrames(frames);
  }

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

  /** After this replica's vector grew: every session sends its acks and what its peer lacks. */
  void afterChange(long now) {
    sessions.afterChange(now);
    receipts.check();
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

  void ensureOpen() {
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
