package io.tandem.replication.protocol;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.protocol.Message.Deltas;
import io.tandem.replication.protocol.Message.Offer;
import io.tandem.replication.protocol.Message.Range;
import io.tandem.replication.protocol.ProtocolException.Reason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The sending side of one session: per feed, up to where records went to the peer (pushed or
 * offered), when they are due again unacknowledged and with what backoff, and the round trip of
 * the acks that sets that delay. The session decides when to send; this decides what goes and
 * remembers it, so a resend starts from what the peer confirmed, never from what was sent.
 *
 * <p>Law: a record is sent again only after its ack is overdue, the transport reported it lost,
 * or the peer said it holds less than we believed; at most {@code windowRecords} records of each
 * feed are unacknowledged at once. The resend delay doubles with jitter per feed from the ack
 * timeout up to a cap, and starts again from the shortest on progress. Only records sent once are
 * timed (Karn's algorithm).
 */
final class SendWindow {

  private final SyncSession.Local local;
  private final SessionConfig config;
  private final PeerView peer;
  private final SplittableRandom random;
  private final HoldBack holdBack;
  private final Map<ReplicaId, Long> sentUpTo = new HashMap<>();
  private final Map<ReplicaId, Long> retryAt = new HashMap<>();
  private final Map<ReplicaId, Long> backoff = new HashMap<>();
  /**
   * Over a lossy link, per feed, the highest record the peer requested of us: it lacks them, so
   * on a timeout they go again as records, not as an offer to be requested once more.
   */
  private final Map<ReplicaId, Long> owed = new HashMap<>();
  /** The ack round trip, measured; sets how long an unacknowledged record waits for a resend. */
  private final RoundTrip roundTrip = new RoundTrip();
  /** The record whose ack is timed, when it was pushed, and its feed; null while none is. */
  private ReplicaId timedOrigin;
  private long timedSeq;
  private long timedAt;
  /** Per feed, the highest record ever sent: only records sent once are timed (Karn). */
  private final Map<ReplicaId, Long> highestSent = new HashMap<>();
  /** A frame of records was lost on the way out: the next tick sends them again. */
  private boolean repump;
  /** The peer holds less of its own feed than we do ({@link #stated}): we push it. */
  private boolean pushOwnFeed;

  SendWindow(SyncSession.Local local, SessionConfig config, PeerView peer, long seed) {
    this.local = local;
    this.config = config;
    this.peer = peer;
    this.random = new SplittableRandom(seed);
    this.holdBack = new HoldBack(local, config, peer);
  }

  /** Up to where {@code origin}'s records went to the peer, acknowledged or not. */
  long sentUpTo(ReplicaId origin) {
    return sentUpTo.getOrDefault(origin, 0L);
  }

  /** The records of {@code m} were lost on the way out: they go again at the next tick. */
  void lost(Message m) {
    if (m instanceof Deltas d) {
      Map<ReplicaId, Long> first = new HashMap<>();
      for (DeltaRecord r : d.records()) {
        first.merge(r.origin(), r.seq(), Math::min);
      }
      first.forEach((origin, seq) -> rewind(origin, seq - 1));
    } else if (m instanceof Offer o) {
      for (Range r : o.ranges()) {
        rewind(r.origin(), r.from() - 1);
      }
    }
  }

  /**
   * The peer dropped records of {@code origin}'s feed from {@code from} on, unapplied: they go
   * again at the next pump, as if lost on the way.
   */
  void resendFrom(ReplicaId origin, long from) {
    rewind(origin, from - 1);
  }

  /** Whether this side pushes {@code origin}'s records to the peer, rather than offering them. */
  boolean pushes(ReplicaId origin) {
    // A replica holds all its own feed; in interactive mode others' records are offered.
    return !origin.equals(peer.id()) && (!config.interactive() || origin.equals(local.id()));
  }

  /** Sends {@code origin}'s feed again from after {@code upTo} (or what the peer confirmed). */
  private void rewind(ReplicaId origin, long upTo) {
    long sent = sentUpTo(origin);
    long from = Math.max(upTo, peer.vector().get(origin));
    if (sent > from) {
      sentUpTo.put(origin, from);
      retryAt.remove(origin);
      if (origin.equals(timedOrigin)) {
        timedOrigin = null;
      }
      repump = true;
    }
  }

  /** Whether records are due again: some were lost, or a hold-back ended. */
  boolean wake(long now) {
    boolean due = repump || holdBack.due(now);
    repump = false;
    return due;
  }

  /**
   * Starts over every feed whose ack is overdue at {@code now}, from what the peer confirmed;
   * what it requested and lacks goes to {@code again}, to be sent as records.
   *
   * @return whether any feed started over
   */
  boolean restartOverdue(long now, boolean sendsQueued, List<Range> again) {
    boolean due = false;
    for (Map.Entry<ReplicaId, Long> e : new ArrayList<>(retryAt.entrySet())) {
      ReplicaId origin = e.getKey();
      if (!sendsQueued && now >= e.getValue() && !working(e.getValue(), now)
          && sentUpTo(origin) > peer.vector().get(origin)) {
        // Nothing acknowledged in time: start the feed over from what the peer confirmed. What
        // it requested goes again as records: it lacks them, and offering them again would only
        // ask for the same request, one more leg to lose.
        long acked = peer.vector().get(origin);
        long owe = owed.getOrDefault(origin, 0L);
        if (owe > acked) {
          again.add(new Range(origin, acked + 1, owe));
        }
        sentUpTo.put(origin, Math.max(acked, owe));
        if (origin.equals(timedOrigin)) {
          timedOrigin = null; // an ack now could answer either send: no sample (Karn)
        }
        backoff.put(origin, nextBackoff(config, backoff.getOrDefault(origin,
            config.minBackoffMillis())));
        retryAt.remove(origin);
        due = true;
      }
    }
    return due;
  }

  /**
   * Whether, over an ordered transport, records overdue since {@code due} still wait. Such a link
   * delivers every frame in order or reports it lost ({@link #lost}), and a connection that died
   * without a word is not mended by sending into it again: a late ack means a busy peer, and a
   * resend only queues the same records behind those it is storing. Measured in part 2 (three
   * devices, TCP, all writing, on a loaded machine): timed resends made 17 of the 21 duplicate
   * records received per write, and the peers fell further behind. What a peer drops itself (its
   * causal buffer evicts records whose dependencies are missing) it asks for again
   * ({@link Message.Resend}).
   */
  private boolean working(long due, long now) {
    return config.ordered() && now - due < config.maxBackoffMillis();
  }

  /**
   * A summary about to go offers, in interactive mode, every third replica's record of
   * {@code mine} the peer may lack: they count as sent, and are offered again if not requested.
   */
  void offeredInSummary(VersionVector mine, long now) {
    for (int i = 0; i < mine.size(); i++) {
      ReplicaId origin = mine.replicaAt(i);
      if (!origin.equals(peer.id()) && !origin.equals(local.id())
          && mine.counterAt(i) > Math.max(peer.vector().get(origin), sentUpTo(origin))) {
        sentUpTo.put(origin, mine.counterAt(i));
        retryAt.putIfAbsent(origin, now + delay(origin));
      }
    }
  }

  /** The peer holds {@code v}, whatever we believed: resend from there. */
  void reset(VersionVector v) {
    for (Map.Entry<ReplicaId, Long> e : sentUpTo.entrySet()) {
      if (e.getValue() > v.get(e.getKey())) {
        e.setValue(v.get(e.getKey()));
        retryAt.remove(e.getKey());
      }
    }
    backoff.clear();
  }

  /**
   * The peer's ack states {@code v}: feeds of which it holds records we never sent it. A feed we
   * hold nothing of is not remembered, as in {@link #pruned}: an ack may name any ids.
   */
  void acked(VersionVector v, long now) {
    if (!config.ordered()) {
      return;
    }
    for (int i = 0; i < v.size(); i++) {
      ReplicaId origin = v.replicaAt(i);
      if (!origin.equals(local.id()) && !origin.equals(peer.id())
          && v.counterAt(i) > Math.max(sentUpTo(origin), peer.vector().get(origin))
          && local.vector().get(origin) > 0) {
        // It stored records of this feed we never sent it: it has another path.
        holdBack.elsewhere(origin, now);
      }
    }
  }

  /**
   * The peer got records of {@code origin}'s feed from us and from their author too
   * ({@link Message.Prune}): held back again as if its ack had shown the other path. Its own feed
   * and ours always go; a feed we hold nothing of is not remembered (a peer names any ids it
   * likes).
   */
  void pruned(ReplicaId origin, long now) {
    if (!origin.equals(local.id()) && !origin.equals(peer.id())
        && local.vector().get(origin) > 0) {
      holdBack.elsewhere(origin, now);
    }
  }

  /** How many feeds the hold-back remembers a path of, for tests. */
  int feedsHeldBack() {
    return holdBack.feedsRemembered();
  }

  /**
   * The peer stated, whole, that it holds {@code v} (its summary). Of its own feed that is the
   * truth, whatever we believed: if it holds less of it than we do, its store was restored from
   * a backup or copied, and what we hold of its feed goes to it ({@link #push}), so that its own
   * records, not a claim, show it its id reused.
   */
  void stated(VersionVector v) {
    long own = v.get(peer.id());
    if (own < peer.vector().get(peer.id()) || own < local.vector().get(peer.id())) {
      peer.vector(peer.vector().with(peer.id(), own));
      pushOwnFeed = true;
    }
  }

  /**
   * The peer sent a record of its own feed, number {@code seq}, other than ours: its store was
   * copied and both copies wrote. What we hold of its feed from there goes to it.
   */
  void pushOwnFeedFrom(long seq) {
    pushOwnFeed = true;
    peer.vector(peer.vector().with(peer.id(), seq - 1));
    sentUpTo.put(peer.id(), seq - 1);
    repump = true;
  }

  /**
   * The peer said it holds {@code v}: time the ack, and restart the timers of feeds it holds
   * more of. What it claims of this replica's feed beyond what we wrote is ignored: a restored
   * store's peers say so honestly, and a claim proves nothing (only records do, to
   * {@code Identity}); closing the session for it closed every session with every peer for good.
   */
  void learn(VersionVector v, long now) {
    long ours = local.vector().get(local.id());
    if (v.get(local.id()) > ours) {
      v = v.with(local.id(), ours);
    }
    VersionVector before = peer.vector();
    VersionVector after = before.merge(v);
    peer.vector(after);
    if (before == after) {
      return;
    }
    if (timedOrigin != null && after.get(timedOrigin) >= timedSeq) {
      roundTrip.sample(now - timedAt);
      timedOrigin = null;
    }
    after.forEach((origin, n) -> {
      if (n > before.get(origin)) {
        // Progress: the next loss on this feed starts from the shortest delay again. Over an
        // ordered transport the resend timer also restarts (as TCP's does on an ack of new
        // data): records sent after the acked ones are not yet overdue, and without the
        // restart a feed written without pause was resent whole every first delay. Over a
        // lossy link (part 4's world (a)) the restart only delayed the resend of lost ones.
        backoff.remove(origin);
        if (sentUpTo(origin) <= n) {
          retryAt.remove(origin);
        } else if (config.ordered() && retryAt.containsKey(origin)) {
          retryAt.put(origin, now + delay(origin));
        }
      }
    });
  }

  /**
   * The peer is back after a silence: what waits for a resend goes soon, not after a long
   * backoff that grew while it was away (MVDS users saw messages never arrive).
   */
  void peerBack(long now) {
    long soon = now + timeout();
    retryAt.replaceAll((o, t) -> Math.min(t, soon));
    backoff.clear();
  }

  /**
   * Adds to {@code out} the records of {@code mine} to push, each feed within its window. The
   * window is per feed: a feed's records the peer cannot apply yet (they wait for another feed's)
   * never hold back the other feed's. One window for all feeds deadlocked part 2: a device
   * forwarding a third device's records filled the window with records the peer buffered for
   * lack of the device's own, which the full window kept from going.
   */
  void push(VersionVector mine, List<Message> out, long now) {
    DeltasBatch batch = new DeltasBatch(config, out);
    for (int i = 0; i < mine.size(); i++) {
      ReplicaId origin = mine.replicaAt(i);
      boolean peers = origin.equals(peer.id());
      if (peers ? !pushOwnFeed : !pushes(origin)) {
        continue; // a replica holds all its own feed unless it said otherwise (stated)
      }
      long has = Math.max(peer.vector().get(origin), sentUpTo(origin));
      long next = has + 1;
      if (next > mine.counterAt(i)) {
        holdBack.caughtUp(origin);
        continue;
      }
      if (peers && sentUpTo(origin) == 0 && has > local.snapshotVector().get(origin)) {
        next = has; // its last record too: a copy that wrote under that number sees another
      }
      long last = peers ? mine.counterAt(i) : sendableUpTo(origin, mine.counterAt(i), now);
      long inFlight = Math.max(0, next - 1 - peer.vector().get(origin));
      while (next <= last && inFlight < config.windowRecords()) {
        if (batch.size() >= config.batchRecords()) {
          batch.flush();
        }
        int room = (int) Math.min(Math.min(config.batchRecords() - batch.size(),
            config.windowRecords() - inFlight), last - next + 1);
        List<DeltaRecord> run = local.read(origin, next, room);
        if (run.isEmpty()) {
          break; // compacted away or not there: nothing this session can serve
        }
        for (DeltaRecord r : run) {
          batch.add(r);
          next = r.seq() + 1;
          inFlight++;
        }
        sentUpTo.put(origin, next - 1);
        retryAt.putIfAbsent(origin, now + delay(origin));
        timeIfFirstSend(origin, next - 1, now);
      }
    }
    batch.flush();
  }

  /** Adds to {@code out} an offer of third replicas' records of {@code mine} the peer lacks. */
  void offer(VersionVector mine, List<Message> out, long now) {
    List<Range> ranges = new ArrayList<>();
    VersionVector covered = local.snapshotVector();
    for (int i = 0; i < mine.size(); i++) {
      ReplicaId origin = mine.replicaAt(i);
      if (origin.equals(peer.id()) || origin.equals(local.id())
          || peer.vector().get(origin) < covered.get(origin)) {
        continue; // compacted away: the peer gets the snapshot first
      }
      long from = Math.max(peer.vector().get(origin), sentUpTo(origin)) + 1;
      long to = from > mine.counterAt(i) ? 0 : sendableUpTo(origin, mine.counterAt(i), now);
      if (from > mine.counterAt(i)) {
        holdBack.caughtUp(origin);
      } else if (to >= from) {
        ranges.add(new Range(origin, from, to));
        sentUpTo.put(origin, to);
        retryAt.putIfAbsent(origin, now + delay(origin));
        timeIfFirstSend(origin, to, now);
      }
    }
    if (!ranges.isEmpty()) {
      out.add(new Offer(ranges));
    }
  }

  /** Records of {@code origin} up to {@code upTo} went to the peer because it requested them. */
  void served(ReplicaId origin, long upTo, long now) {
    if (!config.ordered() && !origin.equals(local.id())) {
      // Requested: until acked they go again as records when the ack is overdue.
      owed.merge(origin, upTo, Math::max);
      retryAt.putIfAbsent(origin, now + delay(origin));
    }
    // The offer was answered: give the ack the shortest delay from now, not from the
    // offer; no more, since over a lossy link these records are as likely lost as it was.
    retryAt.computeIfPresent(origin, (o, t) -> Math.max(t, now + config.minBackoffMillis()));
  }

  private long sendableUpTo(ReplicaId origin, long held, long now) {
    long has = Math.max(peer.vector().get(origin), sentUpTo(origin));
    return holdBack.sendableUpTo(origin, held, has, timeout(), now);
  }

  /** Times the ack of record {@code seq} if none is timed and it never went before. */
  private void timeIfFirstSend(ReplicaId origin, long seq, long now) {
    if (seq > highestSent.getOrDefault(origin, 0L)) {
      highestSent.put(origin, seq);
      if (timedOrigin == null) {
        timedOrigin = origin;
        timedSeq = seq;
        timedAt = now;
      }
    }
  }

  /**
   * The first resend delay: over an ordered transport the least one configured, or more if acks
   * take longer; over a lossy link the configured one (measured in part 4's world (a): waiting
   * for slow acks there only delayed the resends of what was lost).
   */
  long timeout() {
    return config.ordered()
        ? roundTrip.timeout(config.minBackoffMillis(), config.maxBackoffMillis())
        : config.minBackoffMillis();
  }

  private long delay(ReplicaId origin) {
    long base = Math.max(timeout(), backoff.getOrDefault(origin, config.minBackoffMillis()));
    // Jitter spreads resends of peers that lost the same frames: up to half the base on top,
    // never before the base; at the cap it folds below the cap, which it never exceeds.
    long max = resendCap(config);
    base = Math.min(base, max);
    long d = base + random.nextLong(base / 2 + 1);
    return d <= max ? d : max - random.nextLong(max / 4 + 1);
  }

  /** The longest resend delay: over a lossy link a few first delays, not the configured cap. */
  static long resendCap(SessionConfig config) {
    return config.ordered() ? config.maxBackoffMillis()
        : Math.min(config.maxBackoffMillis(),
            SyncSession.LOSSY_CAP_DELAYS * config.minBackoffMillis());
  }

  /** The delay after {@code current}: twice as long, up to the configured cap. */
  static long nextBackoff(SessionConfig config, long current) {
    return Math.min(config.maxBackoffMillis(), current * 2);
  }
}
