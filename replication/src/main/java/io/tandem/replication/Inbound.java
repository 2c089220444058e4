package io.tandem.replication;

import io.tandem.crdt.Crdt;
import io.tandem.crdt.VersionVector;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.crdt.codec.CodecException;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.protocol.Message;
import io.tandem.replication.protocol.ProtocolException;
import io.tandem.replication.protocol.ProtocolException.Reason;
import io.tandem.replication.protocol.SyncSession;
import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.PeerListener;
import io.tandem.replication.spi.PendingAppend;
import io.tandem.replication.spi.Snapshot;
import io.tandem.replication.spi.Transport;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A replica's receive path: frames from peers handed to their sessions, the records they bring
 * validated (a frame's records all decode to deltas their objects can take, or the session ends
 * and nothing changes), buffered until causally deliverable, then queued in the store, and
 * applied and acknowledged once durable; and fetched snapshots installed. Records the replica
 * holds already, applied, buffered or in flight to the store, are counted as duplicates and
 * dropped unjudged: their payloads, decoded with the frame before the lock is taken
 * ({@link DecodedFrame}), are never used, so a replayed copy with a garbage payload closes
 * nothing. Every payload is decoded once.
 *
 * <p>Like own writes, received records are queued in the store under the replica's lock and
 * applied once durable, under the lock, every batch settled in queue order: by the thread that
 * delivered them, which waits outside the lock, or, over a {@link Transport#pipelined} transport,
 * by whichever thread the store completes them on. The lock is free while the store commits,
 * and records from several peers and own writes share commits. A batch the store fails is not
 * applied nor acknowledged, so its peers send its records again; a later batch is applied only
 * where it continues the applied vector.
 */
final class Inbound {

  private static final System.Logger LOG = System.getLogger(Inbound.class.getName());

  private final Replica r;
  private final InFlight inFlight = new InFlight();
  private long heldForClock;
  private long duplicates;
  private long applied;
  private long rejected;
  private long framesIn;
  private long bytesIn;
  private long sessionsClosed;
  private String lastCloseReason;

  Inbound(Replica replica) {
    this.r = replica;
  }

  /** What {@code transport} tells of its peers and their frames. */
  PeerListener listener(Transport transport) {
    return new Listener(transport);
  }

  private final class Listener implements PeerListener {
    private final Transport transport;

    Listener(Transport transport) {
      this.transport = transport;
    }

    @Override
    public void peerUp(PeerId peer) {
      r.lock.lock();
      try {
        if (r.closed) {
          return;
        }
        Sessions.Link link = new Sessions.Link(transport, peer);
        SyncSession s = new SyncSession(r.local,
            r.sessionConfig.withOrdered(transport.ordered()), r.sessionSeeds++);
        r.sessions.put(link, s);
        r.sessions.send(link, s.start(r.clock.millis()));
      } finally {
        r.lock.unlock();
      }
    }

    @Override
    public void peerDown(PeerId peer) {
      r.lock.lock();
      try {
        r.sessions.remove(new Sessions.Link(transport, peer));
      } finally {
        r.lock.unlock();
      }
    }

    @Override
    public void frame(PeerId peer, ByteBuffer frame) {
      frames(peer, List.of(frame));
    }

    /**
     * Frames that arrived together are stored as one: their records are buffered frame by frame,
     * queued in the store once, after the last (one append), and applied and acknowledged (one
     * ack per peer) once durable.
     */
    @Override
    public void frames(PeerId peer, List<ByteBuffer> frames) {
      List<DecodedFrame> decoded = new ArrayList<>(frames.size());
      for (ByteBuffer f : frames) {
        decoded.add(DecodedFrame.of(f, r.config.limits())); // outside the lock
      }
      List<Firing.Installed> installed;
      List<InFlight.Batch> queued;
      r.lock.lock();
      try {
        if (!r.closed) {
          Sessions.Link link = new Sessions.Link(transport, peer);
          boolean received = false;
          for (DecodedFrame f : decoded) {
            received |= onFrame(link, f, false);
          }
          if (received && !r.closed) {
            release(r.clock.millis());
          }
        }
        installed = r.firing.takeInstalled();
        queued = inFlight.takeUnawaited();
      } finally {
        r.lock.unlock();
      }
      r.firing.fireInstalled(installed); // before the records that continue the snapshot
      if (transport.pipelined()) {
        pipeline(queued);
      } else {
        settle(queued, false);
      }
      r.firing.fireUnfired(); // what the frames queued to tell, records or not
    }
  }

  /**
   * Handles one frame; with {@code releaseNow} false, records it brought wait in the buffer for
   * the caller to {@link #release}.
   *
   * @return whether the frame brought records to apply
   */
  boolean onFrame(Sessions.Link peer, ByteBuffer frame, boolean releaseNow) {
    return onFrame(peer, DecodedFrame.of(frame, r.config.limits()), releaseNow);
  }

  private boolean onFrame(Sessions.Link peer, DecodedFrame frame, boolean releaseNow) {
    SyncSession s = r.sessions.get(peer);
    if (s == null) {
      return false; // a frame from a session that ended; nothing in it is owed
    }
    framesIn++;
    bytesIn += frame.bytes;
    long now = r.clock.millis();
    try {
      Message m = frame.message();
      List<DeltaRecord> received = new ArrayList<>();
      long dupsBefore = s.duplicateRecords();
      List<Message> out = s.receive(m, now, received);
      duplicates += s.duplicateRecords() - dupsBefore;
      int arrived = received.size();
      received = unheld(received);
      duplicates += arrived - received.size();
      List<Crdt<?>> deltas = validate(received, frame);
      r.sessions.send(peer, out);
      if (s.isOpen()) {
        learn(s, now);
      }
      byte[] fetched = r.transfer.takeCompleted();
      if (fetched != null) {
        install(fetched, now);
      }
      for (int i = 0; i < received.size(); i++) {
        if (!r.buffer.add(received.get(i), deltas.get(i), inFlight.accepted(r.vector), peer)) {
          duplicates++; // twice in this frame, or covered by a snapshot the frame completed
        }
      }
      if (!deltas.isEmpty() && releaseNow) {
        release(now);
      }
      return !deltas.isEmpty();
    } catch (ProtocolException e) {
      endSession(peer, e);
      return false;
    }
  }

  /**
   * The records of {@code received} this replica neither applied, buffered nor queued yet; the others
   * are duplicates, dropped unread. Their payloads are not decoded, so a replayed record under a
   * number already held changes nothing and closes nothing even if its payload is garbage: what
   * is held was validated when it first came, and a second copy is never used.
   */
  List<DeltaRecord> unheld(List<DeltaRecord> received) {
    List<DeltaRecord> out = null;
    VersionVector accepted = inFlight.accepted(r.vector);
    for (int i = 0; i < received.size(); i++) {
      DeltaRecord d = received.get(i);
      if (r.buffer.holds(d, accepted)) {
        if (out == null) {
          out = new ArrayList<>(received.subList(0, i));
        }
      } else if (out != null) {
        out.add(d);
      }
    }
    return out == null ? received : out;
  }

  /**
   * Every record of a frame decodes to a delta its object can take, or none is applied.
   *
   * @return the decoded deltas, one per record, in order
   */
  List<Crdt<?>> validate(List<DeltaRecord> records) throws ProtocolException {
    return validate(records, null);
  }

  /** As {@link #validate(List)}, taking the payloads {@code frame} decoded already, if any. */
  private List<Crdt<?>> validate(List<DeltaRecord> records, DecodedFrame frame)
      throws ProtocolException {
    List<Crdt<?>> out = new ArrayList<>(records.size());
    Map<String, Class<?>> types = new HashMap<>();
    for (DeltaRecord d : records) {
      Object v = frame == null ? null : frame.payload(d);
      try {
        if (v == null) {
          v = BinaryCodec.decode(d.payload(), d.origin());
        } else if (v instanceof CodecException e) {
          throw e;
        }
      } catch (CodecException e) {
        throw new ProtocolException(Reason.VIOLATION, "payload of " + d + " does not decode: "
            + e.getMessage(), e);
      }
      if (Crdts.emptyLike(v) == null) {
        throw new ProtocolException(Reason.VIOLATION, "payload of " + d + " is no CRDT");
      }
      Crdt<?> existing = r.objects.get(d.object());
      Class<?> expected = existing != null ? existing.getClass()
          : types.getOrDefault(d.object(), v.getClass());
      if (!expected.equals(v.getClass())) {
        throw new ProtocolException(Reason.VIOLATION, "payload of " + d + " is a "
            + v.getClass().getSimpleName() + " but " + d.object() + " holds a "
            + expected.getSimpleName());
      }
      types.put(d.object(), v.getClass());
      out.add((Crdt<?>) v);
    }
    return out;
  }

  /**
   * Queues in the store what the buffer can release: what continues the records applied and in
   * flight. The caller takes the batches queued ({@link #takeQueued}) before it lets go of the
   * lock and {@link #settle settles} them after. Under the lock.
   */
  void release(long now) {
    List<CausalBuffer.Received> ready = r.buffer.drain(inFlight.accepted(r.vector), d -> {
      boolean ahead = d.hlc().isAheadOf(now, r.config.maxClockOffsetMillis());
      if (ahead) {
        heldForClock++;
      }
      return ahead;
    });
    if (!ready.isEmpty()) {
      queue(ready, now);
    }
    askEvicted(now);
  }

  private void queue(List<CausalBuffer.Received> ready, long now) {
    ready = r.expiry.stripped(ready, now); // an expired value never reaches the store
    List<DeltaRecord> records = new ArrayList<>(ready.size());
    for (CausalBuffer.Received x : ready) {
      records.add(x.record());
    }
    PendingAppend append;
    try {
      append = r.store.appendQueued(records);
    } catch (RuntimeException e) {
      // Neither applied nor acknowledged: asked for again once the feed needs them.
      LOG.log(Level.ERROR, "store refused {0} received records: {1}", records.size(),
          e.getMessage());
      ready.forEach(r.buffer::lost);
      return;
    }
    inFlight.queued(ready, append);
  }

  /**
   * Asks the peers that sent records the buffer evicted for them again, once they are the next
   * to apply: records applied and in flight to the store reach them. A peer whose session ended
   * is not asked; the next session starts from what this replica holds. Under the lock.
   */
  private void askEvicted(long now) {
    for (CausalBuffer.Evicted e : r.buffer.due(inFlight.accepted(r.vector))) {
      SyncSession s = r.sessions.get(e.peer());
      if (s != null) {
        r.sessions.send(e.peer(), s.evicted(e.origin(), e.from(), e.to(), now));
      }
    }
  }

  /** The batches queued since the caller took the lock, taken out. Under the lock. */
  List<InFlight.Batch> takeQueued() {
    return inFlight.takeUnawaited();
  }

  /**
   * Awaits the durability of {@code batches}, which the caller queued, then applies in queue
   * order every batch settled, tells the listeners, and, if {@code wait}, returns only once
   * {@code batches} are applied or dropped (an earlier batch of another thread may hold them
   * up). Outside the lock.
   */
  void settle(List<InFlight.Batch> batches, boolean wait) {
    for (InFlight.Batch b : batches) {
      RuntimeException failure = null;
      try {
        b.append.await(); // on this thread, so a call that delivered frames returns done
      } catch (RuntimeException e) {
        failure = e;
      }
      durable(b, failure);
    }
    r.firing.fireUnfired();
    if (wait) {
      batches.forEach(b -> b.settled.join());
    }
  }

  /**
   * As {@link #settle} without waiting: each of {@code batches} is applied, in queue order, on
   * the thread the store completes it on, so the thread that delivered the frames goes back to
   * reading at once, and the records of the next frames join the commit under way or the next
   * one instead of waiting for this one. The store's bounded queue holds the peers back.
   */
  private void pipeline(List<InFlight.Batch> batches) {
    for (InFlight.Batch b : batches) {
      b.append.whenDurable().whenComplete((v, t) -> durable(b,
          t == null ? null : Replica.storeFailure(t)));
    }
  }

  /** The store settled {@code b}: applies what is now settled in queue order. Outside the lock. */
  private void durable(InFlight.Batch b, RuntimeException failure) {
    List<InFlight.Batch> done;
    r.lock.lock();
    try {
      done = inFlight.settled(b, failure);
      if (!r.closed) {
        List<Change> changes = new ArrayList<>();
        long now = r.clock.millis();
        apply(done, now, changes);
        r.firing.changed(changes);
        askEvicted(now); // what a failed batch held, from its peers, at once
      }
    } finally {
      r.lock.unlock();
    }
    done.forEach(x -> x.settled.complete(null));
    r.firing.fireUnfired();
  }

  /** Applies the records of {@code done}, durable now, in order, and tells every peer. */
  private void apply(List<InFlight.Batch> done, long now, List<Change> changes) {
    boolean grew = false;
    for (InFlight.Batch b : done) {
      if (b.failure() != null) {
        // Neither applied nor acknowledged: asked for again once the feed needs them.
        LOG.log(Level.ERROR, "store failed {0} received records: {1}", b.records.size(),
            b.failure().getMessage());
        b.records.forEach(r.buffer::lost);
        continue;
      }
      List<DeltaRecord> kept = new ArrayList<>(b.records.size());
      for (CausalBuffer.Received x : b.records) {
        DeltaRecord d = x.record();
        if (d.seq() != r.vector.get(d.origin()) + 1 || !r.vector.descends(d.deps())) {
          // Covered by a snapshot installed meanwhile, or after records of a failed batch: the
          // store holds it, and takes it again as a repeat once the peers resend it.
          r.buffer.lost(x);
          continue;
        }
        kept.add(applyOne(d, x.delta(), now));
        changes.add(new Change(d.object(), d.origin(), d.seq(), false));
      }
      r.recent.add(kept);
      grew |= !kept.isEmpty();
    }
    if (grew) {
      r.afterChange(now);
    }
  }

  /** @return the record as it may be kept in memory and sent on */
  private DeltaRecord applyOne(DeltaRecord d, Crdt<?> delta, long now) {
    DeltaRecord kept = r.expiry.applying(d, delta, now);
    Crdt<?> current = r.objects.get(d.object());
    if (r.expiry.isDead(d.object(), now)) {
      applied++; // an expired object's record: its metadata only
    } else if (current != null && current.getClass() != delta.getClass()) {
      // Two origins created one object with two types: an app bug. The feed must stay
      // gap-free, so the record counts as applied, and the mismatch is reported.
      rejected++;
      LOG.log(Level.ERROR, "object {0} holds a {1}; {2} carries a {3}; not applied",
          d.object(), current.getClass().getSimpleName(), d, delta.getClass().getSimpleName());
    } else {
      r.objects.put(d.object(), current == null
          ? Crdts.merge(Crdts.emptyLike(delta), delta) : Crdts.merge(current, delta));
      r.writes.joined(d.object(), delta);
      applied++;
    }
    r.vector = r.vector.with(d.origin(), d.seq());
    r.hlc = r.hlc.receive(d.hlc(), now, r.config.maxClockOffsetMillis());
    return kept;
  }

  /** The replica closes: nobody waits for a batch in flight any more. Under the lock. */
  void close() {
    inFlight.clear().forEach(b -> b.settled.complete(null));
  }

  /**
   * Installs a snapshot fetched whole and verified by hash: its objects are joined into this
   * replica's, its vector into this replica's, and the store keeps the join of both snapshots.
   * A snapshot whose content does not hold changes nothing.
   */
  private void install(byte[] bytes, long now) {
    SnapshotTransfer.Fetched got = r.transfer.check(bytes, r.id, r.vector, r.objects);
    if (got == null) {
      return;
    }
    Snapshot next = SnapshotTransfer.join(r.store.snapshot(), got);
    try {
      r.store.installSnapshot(next);
      r.recent.clear();
    } catch (IllegalArgumentException e) {
      LOG.log(Level.ERROR, "store cannot install the fetched snapshot: {0}", e.getMessage());
      return;
    }
    got.objects().forEach((name, v) -> {
      r.objects.merge(name, v, Crdts::merge);
      r.writes.joined(name, v);
    });
    r.expiry.learn(Expiry.OBJECT, r.objects.get(Expiry.OBJECT));
    r.expiry.recheck(got.objects().keySet(), now); // what died here must not come back with it
    r.expiry.sweep(now);
    VersionVector before = r.vector;
    r.vector = r.vector.merge(got.snapshot().vector());
    if (got.snapshot().clock() != null) {
      // A write after this one must be stamped above every value the snapshot brought.
      r.hlc = r.hlc.receive(got.snapshot().clock(), now, r.config.maxClockOffsetMillis());
    }
    r.snapshotVector = next.vector();
    r.transfer.installed(r.vector);
    r.firing.installed(new Firing.Installed(before, r.vector,
        Collections.unmodifiableSet(new TreeSet<>(got.objects().keySet()))));
    release(now);
    r.afterChange(now);
  }

  private void learn(SyncSession s, long now) {
    boolean news = r.receipts.learn(s.peer(), s.peerVector());
    if (news) {
      // Saved on the next tick, not per ack: an ack arrives per frame, and a store commit per
      // ack made three devices on TLS spend their time committing acks. A crash that loses
      // the latest acks only makes this replica think a peer holds less than it does.
      r.unsavedPeers.add(s.peer());
    }
    r.compactor.heard(s.peer(), now, news);
  }

  private void endSession(Sessions.Link peer, ProtocolException e) {
    sessionsClosed++;
    lastCloseReason = peer + ": " + e.getMessage();
    LOG.log(Level.WARNING, "closing session with {0}: {1}", peer, e.getMessage());
    r.sessions.remove(peer);
    peer.transport().disconnect(peer.peer(), e.getMessage());
  }

  /** Counts a record, own or received, whose payload could not apply to its object. */
  void countRejected() {
    rejected++;
  }

  /** Records applied and rejected from peers, since the replica opened. */
  long appliedOrRejected() {
    return applied + rejected;
  }

  /** The receive path's counters, with the buffer's and the sessions' outbound ones. */
  ReplicaMetrics metrics(CausalBuffer buffer, Sessions sessions) {
    return new ReplicaMetrics(buffer.size(), buffer.bytes(), buffer.evictions(), heldForClock,
        duplicates, applied, rejected, framesIn, sessions.framesOut(), bytesIn,
        sessions.bytesOut(), sessionsClosed, lastCloseReason);
  }
}
