package io.tandem.replication.protocol;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.protocol.Message.Ack;
import io.tandem.replication.protocol.Message.Deltas;
import io.tandem.replication.protocol.Message.Hello;
import io.tandem.replication.protocol.Message.Offer;
import io.tandem.replication.protocol.Message.Range;
import io.tandem.replication.protocol.Message.Request;
import io.tandem.replication.protocol.Message.SnapshotChunk;
import io.tandem.replication.protocol.Message.SnapshotFetch;
import io.tandem.replication.protocol.Message.SnapshotOffer;
import io.tandem.replication.protocol.Message.Summary;
import io.tandem.replication.protocol.ProtocolException.Reason;
import io.tandem.replication.spi.SyncBase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The sync protocol with one peer, without I/O: messages in, messages out, time passed in. The
 * replica owns one per connected peer and does the sending, the storing and the applying.
 *
 * <p>What it guarantees: the peer is sent every record it lacks, in feed order, in bounded
 * batches and within a bounded window; unacknowledged records are resent after a delay that
 * doubles with jitter up to a cap, and sooner once the peer is heard from again; duplicates and
 * replays change nothing and are answered with an ack so the sender stops; a session that has
 * sent and received everything falls silent.
 *
 * <p>Session start costs what changed since the peers last met, not what exists: each side saves
 * per peer a {@link SyncBase} (what it told the peer, what it heard from it), and its summary
 * names the base it assumes by a 64-bit hash and carries only the entries that differ from it,
 * origins given as positions in the base's sorted origins. A receiver whose saved base does not
 * match asks for the whole vector: one more round trip, never wrong data. Acks name origins the
 * same way, against the dictionary of the sender's latest summary, tagged by its hash.
 *
 * <p>Why a hash collision is harmless: everything either side saves was stated by the other
 * (counters only grow), so a matching base can at worst be mistaken for another one, making the
 * receiver believe this replica holds more than it does and not send what it lacks. This side
 * sees that: the peer's summary says it holds records this side lacks, yet nothing comes. After
 * a stall a {@link Summary#RESET} whole summary replaces the peer's belief, and sending resumes.
 */
public final class SyncSession {

  /** What a session reads of its replica; the vector is durable, so acks mean "stored". */
  public interface Local {
    ReplicaId id();

    VersionVector vector();

    List<DeltaRecord> read(ReplicaId origin, long fromSeq, int max);

    /** The base saved with {@code peer}, or {@link SyncBase#NONE}. */
    default SyncBase base(ReplicaId peer) {
      return SyncBase.NONE;
    }

    /** Keeps {@code base} for the next session with {@code peer}; losing it costs a fallback. */
    default void saveBase(ReplicaId peer, SyncBase base) {}

    /**
     * Claims, for the session {@code by}, the records {@code from..to} of {@code origin}'s feed
     * that it is about to request, until {@code until}: returns the first of them no other
     * session claimed (beyond {@code to} if all are), so a record offered by two peers at once
     * is requested from one. A claim only defers: the other peer's offer is resent.
     */
    default long claim(ReplicaId origin, long from, long to, Object by, long now, long until) {
      return from;
    }

    /**
     * Whether a session with a relay is open: then records for other devices go through it
     * first ({@link DirectGrace}). Asked whenever this session has records to send.
     */
    default boolean relayOpen() {
      return false;
    }

    /**
     * Whether a session with {@code replica} is open here: that replica is online and pushes its
     * own records to its peers itself. Asked whenever this session has its records to send.
     */
    default boolean connected(ReplicaId replica) {
      return false;
    }


    /** The vector of the snapshot the log continues from; cheap, asked on every send. */
    default VersionVector snapshotVector() {
      return VersionVector.empty();
    }

    /** The offer for the snapshot, for a peer that lacks what it covers; null if none. */
    default SnapshotOffer snapshotOffer() {
      return null;
    }

    /** The chunk at {@code offset} of the snapshot with {@code hash}; null if it is gone. */
    default byte[] snapshotChunk(byte[] hash, long offset, int max) {
      return null;
    }

    /**
     * The peer offers its snapshot: what to send back (a fetch, or nothing).
     *
     * @throws ProtocolException if the offer is a lie this replica can tell
     */
    default List<Message> snapshotOffered(SnapshotOffer offer, long now)
        throws ProtocolException {
      return List.of();
    }

    /** A chunk of a snapshot this replica fetches: what to send back (the next fetch). */
    default List<Message> snapshotChunk(SnapshotChunk chunk, long now) {
      return List.of();
    }
  }

  /**
   * Cap on the hello resend delay: a hello is a dozen bytes, and while it goes unanswered no
   * session is open, so over a lossy link a long cap costs minutes of latency (MVDS' world).
   */
  static final long HELLO_CAP_MILLIS = 2_000;
  /**
   * How long a request keeps others from requesting the same records, in shortest resend delays:
   * long enough for the answer to come, short enough that a lost one is asked elsewhere soon.
   */
  static final int CLAIM_ROUND_TRIPS = 4;
  static final int LOSSY_CAP_DELAYS = 8;
  static final int ACK_ECHO_WINDOWS = 60;

  private final Local local;
  private final SessionConfig config;
  private final SplittableRandom random;

  private ReplicaId peer;
  /** The peer said it is a relay: records for other devices go to it at once. */
  private boolean peerRelay;
  /** Records held back from this peer while another path brings them (see sendableUpTo). */
  private final RecordGrace grace = new RecordGrace();
  /**
   * Feeds of third replicas connected here that the peer gets only from us, as far as we know: a
   * record of theirs still lacking after its grace went from here. Forgotten once the peer's ack
   * covers records of the feed we never sent it: it has another path again.
   */
  private final Set<ReplicaId> onlyFromHere = new HashSet<>();
  /** Per feed of a third replica, when the peer's ack last covered records we never sent it. */
  private final Map<ReplicaId, Long> elsewhereAt = new HashMap<>();
  /** Over a lossy link, acks said again for a while once the peer resends what we hold. */
  private final AckEcho ackEcho;
  /** The same, for requests: a device asks another device for records the relay may bring. */
  private final DirectGrace askGrace;
  /** Over a lossy link, our hello and summary said again while the peer says it lacks them. */
  private final SummaryEcho summaryEcho;
  /** Over a lossy link, what we requested and lack, asked again until it comes. */
  private final OpenRequests openRequests;
  /**
   * Over a lossy link, per feed, the highest record the peer requested of us: it lacks them, so
   * on a timeout they go again as records, not as an offer to be requested once more.
   */
  private final Map<ReplicaId, Long> owed = new HashMap<>();
  /**
   * Whether the peer's first summary arrived. Nothing is sent before it in either mode: a guess
   * of what the peer holds costs whole records when wrong (measured: 1.27x became 1.50x in
   * part 4's world (b)), and the summary comes with the peer's answer to our hello anyway.
   */
  private boolean summarized;
  private long helloAt = Long.MIN_VALUE;
  private long helloBackoff;
  /** What the peer holds, as far as we know: never more than it has. */
  private VersionVector peerVector = VersionVector.empty();
  /** What we told the peer and heard from it, and how summaries and acks name origins. */
  private final SessionBase base;
  /** When the peer last offered us records, in a summary, deltas or an offer. */
  private long lastOffered;
  private long stallAfter;
  private final Map<ReplicaId, Long> sentUpTo = new HashMap<>();
  private final Map<ReplicaId, Long> retryAt = new HashMap<>();
  private final Map<ReplicaId, Long> backoff = new HashMap<>();
  private final List<Range> requested = new ArrayList<>();
  private long lastHeard = Long.MIN_VALUE;
  /** The hash of the snapshot last offered to the peer, when, and how long until offered again. */
  private byte[] offeredHash;
  private long offeredAt;
  private long offerBackoff;
  private long duplicateRecords;
  private long lastSent = Long.MIN_VALUE;
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

  public SyncSession(Local local, SessionConfig config, long seed) {
    this.local = local;
    this.config = config;
    this.random = new SplittableRandom(seed);
    this.helloBackoff = config.minBackoffMillis();
    this.stallAfter = 2 * config.maxBackoffMillis();
    this.base = new SessionBase(local);
    this.offerBackoff = config.minBackoffMillis();
    this.ackEcho = new AckEcho(config.ordered() ? 0 : ACK_ECHO_WINDOWS
        * config.minBackoffMillis() * CLAIM_ROUND_TRIPS, CLAIM_ROUND_TRIPS
        * config.minBackoffMillis());
    this.askGrace = new DirectGrace(CLAIM_ROUND_TRIPS * config.minBackoffMillis());
    this.summaryEcho = new SummaryEcho(config.ordered() ? 0 : ACK_ECHO_WINDOWS
        * config.minBackoffMillis() * CLAIM_ROUND_TRIPS, resendCap());
    this.openRequests = new OpenRequests(config.ordered() ? 0 : config.minBackoffMillis(),
        resendCap());
  }

  /** The messages that open the session. */
  public List<Message> start(long now) {
    helloAt = now;
    lastOffered = now;
    return sent(now, List.of(hello()));
  }

  /**
   * Handles one message from the peer.
   *
   * @param received where records for the replica to apply go, in arrival order
   * @return the messages to send back
   * @throws ProtocolException when the peer breaks the protocol; the session must end
   */
  public List<Message> receive(Message m, long now, List<DeltaRecord> received)
      throws ProtocolException {
    if (peer == null && !(m instanceof Hello)) {
      if (config.ordered()) {
        throw new ProtocolException(Reason.VIOLATION, "message before hello: "
            + m.getClass().getSimpleName());
      }
      return List.of(); // it overtook the hello; its sender resends what matters
    }
    heard(now);
    List<Message> out = new ArrayList<>();
    if (m instanceof Hello h) {
      onHello(h, now, out);
    } else if (m instanceof Summary s) {
      onSummary(s, now, out);
    } else if (m instanceof Ack a) {
      onAck(a, now);
    } else if (m instanceof Deltas d) {
      summaryEcho.answered();
      offered(now);
      onDeltas(d, received, out, now);
    } else if (m instanceof Offer o) {
      summaryEcho.answered();
      offered(now);
      onOffer(o, now, out);
    } else if (m instanceof Request q) {
      requested.addAll(base.resolve(q, local.vector()));
    } else if (m instanceof SnapshotOffer o) {
      learn(o.vector(), now); // the peer holds what its snapshot covers
      out.addAll(local.snapshotOffered(o, now));
    } else if (m instanceof SnapshotFetch f) {
      onSnapshotFetch(f, now, out);
    } else if (m instanceof SnapshotChunk c) {
      out.addAll(local.snapshotChunk(c, now));
    }
    out.addAll(pump(now));
    return sent(now, out);
  }

  /**
   * After the replica stored what it received or wrote: acks for what grew, and what the peer
   * now lacks.
   */
  public List<Message> afterChange(long now) {
    if (peer == null) {
      return List.of();
    }
    List<Message> out = new ArrayList<>();
    VersionVector grown = grownSinceTold();
    if (!grown.isEmpty()) {
      out.add(base.ack(grown, false));
    }
    out.addAll(pump(now));
    return sent(now, out);
  }

  /** Resends what went unanswered for too long. */
  public List<Message> tick(long now) {
    return tick(now, false);
  }

  /**
   * Resends what went unanswered for too long, or what the transport lost. While
   * {@code sendsQueued} (the transport still holds frames of this session it has not taken) no
   * record is resent for being late: its ack may wait behind those very frames, and a resend
   * would only queue them twice.
   */
  public List<Message> tick(long now, boolean sendsQueued) {
    List<Message> hellos = List.of();
    if (peer == null || !summarized) {
      if (now - helloAt >= helloBackoff) {
        // No hello yet, or no summary: a hello that says it has not heard the peer asks for
        // both again.
        helloAt = now;
        helloBackoff = Math.min(Math.max(config.minBackoffMillis(), HELLO_CAP_MILLIS),
            nextBackoff(helloBackoff));
        hellos = List.of(hello(false));
      }
      if (peer == null) {
        return sent(now, hellos);
      }
    }
    List<Message> resends = resends(now, sendsQueued);
    if (summaryEcho.due(now)) {
      resends = new ArrayList<>(resends);
      if (hellos.isEmpty()) {
        resends.add(hello(true));
      }
      resends.add(offering(base.whole(0), now));
      sent(now, resends);
    }
    Request again = askAgain(now);
    if (again != null) {
      resends = new ArrayList<>(resends);
      resends.add(again);
      sent(now, resends);
    }
    VersionVector echo = ackEcho.due(local.vector(), now);
    if (!echo.isEmpty()) {
      resends = new ArrayList<>(resends);
      resends.add(base.ack(echo, true));
      sent(now, resends);
    }
    if (hellos.isEmpty()) {
      return resends;
    }
    List<Message> out = new ArrayList<>(hellos);
    out.addAll(resends);
    return sent(now, out);
  }

  /**
   * The transport could not take {@code m} (its queue for the peer was full, or the connection
   * went): over a reliable transport that is the only way a record is lost, so its records are
   * due again at the next tick, from the first one lost, without waiting for a timer.
   */
  public void lost(Message m) {
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

  /** Sends {@code origin}'s feed again from after {@code upTo} (or what the peer confirmed). */
  private void rewind(ReplicaId origin, long upTo) {
    long sent = sentUpTo.getOrDefault(origin, 0L);
    long from = Math.max(upTo, peerVector.get(origin));
    if (sent > from) {
      sentUpTo.put(origin, from);
      retryAt.remove(origin);
      if (origin.equals(timedOrigin)) {
        timedOrigin = null;
      }
      repump = true;
    }
  }

  private List<Message> resends(long now, boolean sendsQueued) {
    if (summarized && now - lastOffered >= stallAfter && pendingIn() > 0) {
      // The peer holds records we lack and sends none: it may believe we hold them (a base
      // mistaken through a hash collision). Tell it whole what we hold, replacing that belief.
      lastOffered = now;
      stallAfter = Math.min(stallAfter * 2, 64 * config.maxBackoffMillis());
      return sent(now, List.of(offering(base.whole(Summary.RESET), now)));
    }
    boolean due = repump || grace.due(now);
    repump = false;
    if (offeredHash != null && now - offeredAt >= offerBackoff) {
      // No fetch since the offer: it, or the fetch, or a chunk, was lost. Offer again; the
      // peer resumes from its last verified chunk.
      offeredHash = null;
      offerBackoff = nextBackoff(offerBackoff);
      due = true;
    }
    for (Map.Entry<ReplicaId, Long> e : new ArrayList<>(retryAt.entrySet())) {
      ReplicaId origin = e.getKey();
      if (!sendsQueued && now >= e.getValue() && !working(e.getValue(), now)
          && sentUpTo.getOrDefault(origin, 0L) > peerVector.get(origin)) {
        // Nothing acknowledged in time: start the feed over from what the peer confirmed. What
        // it requested goes again as records: it lacks them, and offering them again would only
        // ask for the same request, one more leg to lose.
        long acked = peerVector.get(origin);
        long owe = owed.getOrDefault(origin, 0L);
        if (owe > acked) {
          requested.add(new Range(origin, acked + 1, owe));
        }
        sentUpTo.put(origin, Math.max(acked, owe));
        if (origin.equals(timedOrigin)) {
          timedOrigin = null; // an ack now could answer either send: no sample (Karn)
        }
        backoff.put(origin, nextBackoff(backoff.getOrDefault(origin,
            config.minBackoffMillis())));
        retryAt.remove(origin);
        due = true;
      }
    }
    return due ? sent(now, pump(now)) : List.of();
  }

  /**
   * Whether, over an ordered transport, records overdue since {@code due} still wait. Such a link
   * delivers every frame in order or reports it lost ({@link #lost}), and a connection that died
   * without a word is not mended by sending into it again: a late ack means a busy peer, and a
   * resend only queues the same records behind those it is storing. Measured in part 2 (three
   * devices, TCP, all writing, on a loaded machine): timed resends made 17 of the 21 duplicate
   * records received per write, and the peers fell further behind. What a peer drops itself (its
   * causal buffer evicts records whose dependencies are missing) is resent after the longest
   * resend delay.
   */
  private boolean working(long due, long now) {
    return config.ordered() && now - due < config.maxBackoffMillis();
  }

  private void onHello(Hello h, long now, List<Message> out) throws ProtocolException {
    if (h.version() != Message.VERSION) {
      throw new ProtocolException(Reason.UNSUPPORTED_VERSION, "peer speaks version "
          + h.version() + ", this is " + Message.VERSION);
    }
    if (h.replica().equals(local.id())) {
      throw new ProtocolException(Reason.VIOLATION, "peer claims this replica's own id "
          + h.replica());
    }
    if (peer != null) {
      if (!peer.equals(h.replica())) {
        throw new ProtocolException(Reason.VIOLATION, "peer changed identity from " + peer
            + " to " + h.replica());
      }
      if (!h.heardYou()) {
        // Our hello or summary was lost: say both again, once per unanswered hello, and whole,
        // since the peer may also lack the base.
        out.add(hello(true));
        out.add(offering(base.whole(0), now));
        summaryEcho.asked(now);
      }
      return;
    }
    // Our own hello went out at start; only a second unanswered hello means it was lost.
    peer = h.replica();
    peerRelay = h.relay();
    VersionVector heard = local.base(peer).heard();
    // What the peer stated in an earlier session it still holds (acks mean "stored"), for the
    // status shown until its summary comes. A base claiming more of our own feed than we hold
    // is not trusted; the summary will tell.
    if (!heard.isEmpty() && heard.get(local.id()) <= local.vector().get(local.id())) {
      peerVector = peerVector.merge(heard);
    }
    out.add(offering(base.open(peer), now));
  }

  /**
   * {@code s}, about to be sent. In interactive mode a summary is also an offer of everything it
   * states the peer may lack: the peer requests from it, so no separate offer goes for that, and
   * what is not requested is offered again after the usual delay.
   */
  private Summary offering(Summary s, long now) {
    if (config.interactive()) {
      VersionVector mine = local.vector();
      for (int i = 0; i < mine.size(); i++) {
        ReplicaId origin = mine.replicaAt(i);
        if (!origin.equals(peer) && !origin.equals(local.id())
            && mine.counterAt(i) > Math.max(peerVector.get(origin),
            sentUpTo.getOrDefault(origin, 0L))) {
          sentUpTo.put(origin, mine.counterAt(i));
          retryAt.putIfAbsent(origin, now + delay(origin));
        }
      }
    }
    return s;
  }

  private void onSummary(Summary s, long now, List<Message> out) throws ProtocolException {
    if ((s.flags() & Summary.WANT_WHOLE) != 0) {
      out.add(offering(base.whole(0), now));
      return;
    }
    VersionVector v = base.resolve(s);
    if (v == null) {
      // Not the base we saved (lost messages, a crash, a collision): ask for the whole vector.
      out.add(Summary.wantWhole());
      helloAt = now; // the answer is a round trip away: no hello before the usual delay
      return;
    }
    if ((s.flags() & Summary.RESET) != 0) {
      reset(v);
    }
    learn(v, now);
    summarized = true;
    if (config.interactive()) {
      // The summary offers what it states: ask for what we lack of it.
      List<Range> want = new ArrayList<>();
      VersionVector mine = local.vector();
      for (int i = 0; i < v.size(); i++) {
        want(v.replicaAt(i), mine.get(v.replicaAt(i)) + 1, v.counterAt(i), now, want);
      }
      if (!want.isEmpty()) {
        // Named in the dictionary of this very summary: the peer holds it unless it sent
        // another since, which a lossy link makes likely only for requests answering offers.
        out.add(base.request(want));
        asked(want, now);
      }
    }
    offered(now);
  }

  private void onAck(Ack a, long now) throws ProtocolException {
    VersionVector v = base.resolve(a);
    if (config.ordered()) {
      for (int i = 0; i < v.size(); i++) {
        ReplicaId origin = v.replicaAt(i);
        if (!origin.equals(local.id()) && !origin.equals(peer) && v.counterAt(i)
            > Math.max(sentUpTo.getOrDefault(origin, 0L), peerVector.get(origin))) {
          // It stored records of this feed we never sent it: it has another path.
          onlyFromHere.remove(origin);
          elsewhereAt.put(origin, now);
        }
      }
    }
    learn(v, now);
  }

  /** What the peer holds is {@code v}, whatever we believed: resend from there. */
  private void reset(VersionVector v) {
    peerVector = v;
    for (Map.Entry<ReplicaId, Long> e : sentUpTo.entrySet()) {
      if (e.getValue() > v.get(e.getKey())) {
        e.setValue(v.get(e.getKey()));
        retryAt.remove(e.getKey());
      }
    }
    backoff.clear();
  }

  private void offered(long now) {
    lastOffered = now;
    stallAfter = 2 * config.maxBackoffMillis();
  }

  private void learn(VersionVector v, long now) throws ProtocolException {
    if (v.get(local.id()) > local.vector().get(local.id())) {
      throw new ProtocolException(Reason.VIOLATION, "peer claims " + v.get(local.id())
          + " records of this replica's feed, which has " + local.vector().get(local.id()));
    }
    VersionVector before = peerVector;
    peerVector = peerVector.merge(v);
    if (before != peerVector) {
      if (timedOrigin != null && peerVector.get(timedOrigin) >= timedSeq) {
        roundTrip.sample(now - timedAt);
        timedOrigin = null;
      }
      peerVector.forEach((origin, n) -> {
        if (n > before.get(origin)) {
          // Progress: the next loss on this feed starts from the shortest delay again. Over an
          // ordered transport the resend timer also restarts (as TCP's does on an ack of new
          // data): records sent after the acked ones are not yet overdue, and without the
          // restart a feed written without pause was resent whole every first delay. Over a
          // lossy link (part 4's world (a)) the restart only delayed the resend of lost ones.
          backoff.remove(origin);
          if (sentUpTo.getOrDefault(origin, 0L) <= n) {
            retryAt.remove(origin);
          } else if (config.ordered() && retryAt.containsKey(origin)) {
            retryAt.put(origin, now + delay(origin));
          }
        }
      });
    }
  }

  private void onDeltas(Deltas d, List<DeltaRecord> received, List<Message> out, long now)
      throws ProtocolException {
    VersionVector mine = local.vector();
    VersionVector duplicates = VersionVector.empty();
    VersionVector authorHeld = VersionVector.empty();
    boolean fresh = false;
    for (DeltaRecord r : d.records()) {
      if (r.origin().equals(peer)) {
        // The peer wrote it holding what it depends on: an ack that comes with every record.
        authorHeld = authorHeld.merge(r.deps());
      }
      if (r.origin().equals(local.id()) && r.seq() > mine.get(local.id())) {
        throw new ProtocolException(Reason.VIOLATION, "peer sent " + r + " of this replica's"
            + " own feed, which it never wrote");
      }
      // The peer sends only what it holds, so it holds this feed up to here.
      if (r.seq() > peerVector.get(r.origin())
          && r.seq() == peerVector.get(r.origin()) + 1) {
        peerVector = peerVector.with(r.origin(), r.seq());
      }
      if (r.seq() <= mine.get(r.origin())) {
        duplicates = duplicates.with(r.origin(), mine.get(r.origin()));
        duplicateRecords++;
      } else {
        received.add(r);
        fresh = true;
      }
    }
    if (fresh) {
      openRequests.progress(now);
    }
    if (!authorHeld.isEmpty()) {
      learn(authorHeld, now);
    }
    if (!duplicates.isEmpty()) {
      // The sender did not get our ack, or could not read it (the summary with our dictionary
      // was lost), or resent early: tell it again, spelled out, or it resends for ever.
      out.add(base.ack(duplicates, true));
      ackEcho.duplicates(duplicates, now);
    }
    if (!fresh && d.records().isEmpty()) {
      throw new ProtocolException(Reason.VIOLATION, "empty deltas message");
    }
  }

  private void onOffer(Offer o, long now, List<Message> out) throws ProtocolException {
    VersionVector mine = local.vector();
    List<Range> want = new ArrayList<>();
    VersionVector have = VersionVector.empty();
    for (Range r : o.ranges()) {
      if (r.origin().equals(local.id()) && r.to() > mine.get(local.id())) {
        throw new ProtocolException(Reason.VIOLATION, "peer offers records up to " + r.to()
            + " of this replica's feed, which has " + mine.get(local.id()));
      }
      if (r.to() > peerVector.get(r.origin()) && r.from() <= peerVector.get(r.origin()) + 1) {
        peerVector = peerVector.with(r.origin(), r.to());
      }
      long from = Math.max(r.from(), mine.get(r.origin()) + 1);
      if (from <= r.to()) {
        want(r.origin(), from, r.to(), now, want);
      } else {
        have = have.with(r.origin(), mine.get(r.origin()));
      }
    }
    if (!want.isEmpty()) {
      out.add(new Request(want));
      asked(want, now);
    }
    if (!have.isEmpty()) {
      out.add(base.ack(have, true));
    }
  }

  /**
   * Keeps {@code want}, just requested, to ask again if it does not come; not the peer's own feed,
   * which it pushes whether asked or not.
   */
  private void asked(List<Range> want, long now) {
    List<Range> others = new ArrayList<>(want.size());
    for (Range r : want) {
      if (!r.origin().equals(peer)) {
        others.add(r);
      }
    }
    openRequests.asked(others, now);
  }

  /** The request of what we asked for and still lack, if due; null if none is. */
  private Request askAgain(long now) {
    List<Range> want = new ArrayList<>();
    for (Range r : openRequests.due(local.vector(), now)) {
      want(r.origin(), r.from(), r.to(), now, want);
    }
    return want.isEmpty() ? null : new Request(want);
  }

  /**
   * Adds to {@code want} what of {@code from..to} no other session is about to receive: a record
   * two peers offer at once is requested from one (measured in part 4: a third of the records
   * phones got through the relay they had already had from each other).
   */
  private void want(ReplicaId origin, long from, long to, long now, List<Range> want) {
    if (from > to) {
      return;
    }
    if (!config.relay() && !peerRelay && local.relayOpen() && !askGrace.mayGo(origin, now)) {
      return; // the relay offers them too, or this peer offers them again after the grace
    }
    long free = local.claim(origin, from, to, this, now, now + CLAIM_ROUND_TRIPS
        * config.minBackoffMillis());
    if (free <= to) {
      want.add(new Range(origin, free, to));
    }
  }

  private void onSnapshotFetch(SnapshotFetch f, long now, List<Message> out)
      throws ProtocolException {
    SnapshotOffer current = local.snapshotOffer();
    if (current == null || !java.util.Arrays.equals(current.hash(), f.hash())) {
      offeredHash = null; // that snapshot is gone: the next pump offers the current one
      return;
    }
    if (f.offset() >= current.size() || f.offset() % current.chunkBytes() != 0) {
      throw new ProtocolException(Reason.VIOLATION, "fetch of snapshot bytes at " + f.offset()
          + ", not a chunk of its " + current.size());
    }
    byte[] bytes = local.snapshotChunk(f.hash(), f.offset(), current.chunkLength(f.offset()));
    if (bytes == null) {
      offeredHash = null;
      return;
    }
    offeredAt = now;
    offerBackoff = config.minBackoffMillis();
    out.add(new SnapshotChunk(f.hash(), f.offset(), bytes));
  }

  /** Offers the snapshot once to a peer that lacks records it covers. */
  private void offerSnapshot(long now, List<Message> out) {
    VersionVector covered = local.snapshotVector();
    if (covered.isEmpty() || peerVector.descends(covered)) {
      offeredHash = null;
      return;
    }
    if (offeredHash != null) {
      return;
    }
    SnapshotOffer o = local.snapshotOffer();
    if (o != null) {
      out.add(o);
      offeredHash = o.hash();
      offeredAt = now;
    }
  }

  /** What the peer lacks and the window allows, in feed order. */
  private List<Message> pump(long now) {
    if (peer == null || !summarized) {
      return List.of();
    }
    List<Message> out = new ArrayList<>();
    VersionVector mine = local.vector();
    askGrace.forgetHeld(mine, peerVector);
    offerSnapshot(now, out);
    if (config.interactive()) {
      offer(mine, out, now);
      serveRequests(mine, out, now);
    }
    // In interactive mode too, our own records are pushed: no peer can have had them from
    // anyone but us before we sent them, so an offer would only cost a round trip (over a
    // lossy link two legs more to lose: part 4's world (a), median 74 s against 9.9 s).
    push(mine, out, now);
    return out;
  }

  private void push(VersionVector mine, List<Message> out, long now) {
    List<DeltaRecord> batch = new ArrayList<>();
    int[] bytes = {0};
    long inFlight = inFlight();
    for (int i = 0; i < mine.size(); i++) {
      ReplicaId origin = mine.replicaAt(i);
      if (origin.equals(peer) || config.interactive() && !origin.equals(local.id())) {
        continue; // a replica holds all its own feed; others' records are offered
      }
      long next = Math.max(peerVector.get(origin), sentUpTo.getOrDefault(origin, 0L)) + 1;
      if (next > mine.counterAt(i)) {
        grace.caughtUp(origin);
        continue;
      }
      long last = sendableUpTo(origin, mine.counterAt(i), now);
      while (next <= last && inFlight < config.windowRecords()) {
        if (batch.size() >= config.batchRecords()) {
          out.add(new Deltas(batch));
          batch = new ArrayList<>();
          bytes[0] = 0;
        }
        int room = (int) Math.min(Math.min(config.batchRecords() - batch.size(),
            config.windowRecords() - inFlight), last - next + 1);
        List<DeltaRecord> run = local.read(origin, next, room);
        if (run.isEmpty()) {
          break; // compacted away or not there: nothing this session can serve
        }
        for (DeltaRecord r : run) {
          if (!batch.isEmpty() && (batch.size() >= config.batchRecords()
              || bytes[0] + r.payload().length > config.batchBytes())) {
            out.add(new Deltas(batch));
            batch = new ArrayList<>();
            bytes[0] = 0;
          }
          batch.add(r);
          bytes[0] += r.payload().length;
          next = r.seq() + 1;
          inFlight++;
        }
        sentUpTo.put(origin, next - 1);
        retryAt.putIfAbsent(origin, now + delay(origin));
        timeIfFirstSend(origin, next - 1, now);
      }
    }
    if (!batch.isEmpty()) {
      out.add(new Deltas(batch));
    }
  }

  /**
   * The last of {@code origin}'s records, of the {@code held} we hold, that may go to this peer
   * now. All of them, but for two cases where another path brings them, and a record goes
   * directly only once held for a grace and still lacking (the peer's ack, sent to every peer
   * when its vector grows, says what it got meanwhile):
   * <ul>
   *   <li>a device holds records back from another device while a relay session is open, for the
   *       relay to bring them (part 4, world (b): each record then crosses a device's link once);
   *   <li>over an ordered transport, a replica holds a third replica's records back from the peer
   *       while that replica is connected here: it is online and pushes its own records to each of
   *       its peers itself, so in a mesh the peer has them from it. The grace is at least the
   *       peer's ack timeout, so a busy peer is not sent what is on its way to it anyway. Where
   *       the peer has no such path (A - B - C, A and C never meet) the first record waits its
   *       grace, and the feed goes at once from then on ({@link #onlyFromHere}); a peer whose acks
   *       lately covered records we never sent it is only busy, and waits on. Measured in
   *       part 2 (three devices, TCP, all writing): every write reached each receiver twice,
   *       once from its author and once relayed.
   * </ul>
   */
  private long sendableUpTo(ReplicaId origin, long held, long now) {
    if (config.relay() || peerRelay) {
      return held;
    }
    long least = CLAIM_ROUND_TRIPS * config.minBackoffMillis();
    if (local.relayOpen()) {
      return grace.heldLongEnough(origin, held, now, least);
    }
    if (config.ordered() && !origin.equals(local.id()) && !onlyFromHere.contains(origin)
        && local.connected(origin)) {
      long wait = Math.max(least, timeout());
      long last = grace.heldLongEnough(origin, held, now, wait);
      long has = Math.max(peerVector.get(origin), sentUpTo.getOrDefault(origin, 0L));
      if (last <= has) {
        return last;
      }
      // The peer still lacks records that waited their grace. If it got others of the feed by
      // another path within the grace, it is only busy: they are on their way to it.
      long seen = elsewhereAt.getOrDefault(origin, Long.MIN_VALUE);
      if (seen != Long.MIN_VALUE && now - seen < wait) {
        grace.wakeAt(seen + wait);
        return has;
      }
      onlyFromHere.add(origin);
      return held;
    }
    return held;
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

  private void offer(VersionVector mine, List<Message> out, long now) {
    List<Range> ranges = new ArrayList<>();
    VersionVector covered = local.snapshotVector();
    for (int i = 0; i < mine.size(); i++) {
      ReplicaId origin = mine.replicaAt(i);
      if (origin.equals(peer) || origin.equals(local.id())
          || peerVector.get(origin) < covered.get(origin)) {
        continue; // compacted away: the peer gets the snapshot first
      }
      long from = Math.max(peerVector.get(origin), sentUpTo.getOrDefault(origin, 0L)) + 1;
      long to = from > mine.counterAt(i) ? 0 : sendableUpTo(origin, mine.counterAt(i), now);
      if (from > mine.counterAt(i)) {
        grace.caughtUp(origin);
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

  private void serveRequests(VersionVector mine, List<Message> out, long now) {
    List<DeltaRecord> batch = new ArrayList<>();
    int bytes = 0;
    for (Range r : requested) {
      long next = Math.max(r.from(), peerVector.get(r.origin()) + 1);
      if (r.origin().equals(local.id())) {
        // Pushed already (the peer requested them from our summary): resends handle a loss.
        next = Math.max(next, sentUpTo.getOrDefault(r.origin(), 0L) + 1);
      }
      long to = Math.min(r.to(), mine.get(r.origin()));
      while (next <= to) {
        List<DeltaRecord> run = local.read(r.origin(), next,
            (int) Math.min(config.batchRecords(), to - next + 1));
        if (run.isEmpty()) {
          break;
        }
        for (DeltaRecord d : run) {
          if (!batch.isEmpty() && (batch.size() >= config.batchRecords()
              || bytes + d.payload().length > config.batchBytes())) {
            out.add(new Deltas(batch));
            batch = new ArrayList<>();
            bytes = 0;
          }
          batch.add(d);
          bytes += d.payload().length;
          next = d.seq() + 1;
        }
        if (!config.ordered() && !r.origin().equals(local.id())) {
          // Requested: until acked they go again as records when the ack is overdue.
          owed.merge(r.origin(), next - 1, Math::max);
          retryAt.putIfAbsent(r.origin(), now + delay(r.origin()));
        }
        // The offer was answered: give the ack the shortest delay from now, not from the
        // offer; no more, since over a lossy link these records are as likely lost as it was.
        retryAt.computeIfPresent(r.origin(),
            (o, t) -> Math.max(t, now + config.minBackoffMillis()));
      }
    }
    requested.clear();
    if (!batch.isEmpty()) {
      out.add(new Deltas(batch));
    }
  }

  private long inFlight() {
    long n = 0;
    for (Map.Entry<ReplicaId, Long> e : sentUpTo.entrySet()) {
      n += Math.max(0, e.getValue() - peerVector.get(e.getKey()));
    }
    return n;
  }

  private VersionVector grownSinceTold() {
    VersionVector mine = local.vector();
    // Built from arrays in one pass: thousands of feeds may grow at once (a bundle, a snapshot).
    long[] ids = new long[mine.size()];
    long[] counters = new long[mine.size()];
    int n = 0;
    for (int i = 0; i < mine.size(); i++) {
      ReplicaId origin = mine.replicaAt(i);
      // Our own feed is known to the peer from what we push; no need to announce it too.
      boolean implied = origin.equals(local.id())
          && sentUpTo.getOrDefault(origin, 0L) >= mine.counterAt(i);
      // Records the peer itself sent are acked too: the ack says "stored", which is what
      // stops its resends.
      if (mine.counterAt(i) > base.told().get(origin) && !implied) {
        ids[n] = origin.value();
        counters[n++] = mine.counterAt(i);
      }
    }
    return VersionVector.ofSorted(java.util.Arrays.copyOf(ids, n),
        java.util.Arrays.copyOf(counters, n));
  }

  private void heard(long now) {
    long timeout = timeout();
    if (lastHeard != Long.MIN_VALUE && now - lastHeard > timeout) {
      // The peer is back after a silence: what waits for a resend goes soon, not after a long
      // backoff that grew while it was away (MVDS users saw messages never arrive).
      long soon = now + timeout;
      retryAt.replaceAll((o, t) -> Math.min(t, soon));
      backoff.clear();
    }
    lastHeard = now;
  }

  /**
   * The first resend delay: over an ordered transport the least one configured, or more if acks
   * take longer; over a lossy link the configured one (measured in part 4's world (a): waiting
   * for slow acks there only delayed the resends of what was lost).
   */
  private long timeout() {
    return config.ordered()
        ? roundTrip.timeout(config.minBackoffMillis(), config.maxBackoffMillis())
        : config.minBackoffMillis();
  }

  private long delay(ReplicaId origin) {
    long base = Math.max(timeout(), backoff.getOrDefault(origin, config.minBackoffMillis()));
    // Jitter spreads resends of peers that lost the same frames: up to half the base on top,
    // never before the base; at the cap it folds below the cap, which it never exceeds.
    long max = resendCap();
    base = Math.min(base, max);
    long d = base + random.nextLong(base / 2 + 1);
    return d <= max ? d : max - random.nextLong(max / 4 + 1);
  }

  private long resendCap() {
    return config.ordered() ? config.maxBackoffMillis()
        : Math.min(config.maxBackoffMillis(), LOSSY_CAP_DELAYS * config.minBackoffMillis());
  }

  private long nextBackoff(long current) {
    return Math.min(config.maxBackoffMillis(), current * 2);
  }

  private Hello hello() {
    return hello(peer != null);
  }

  private Hello hello(boolean heardYou) {
    return new Hello(Message.VERSION, local.id(), config.interactive(), heardYou,
        config.relay());
  }

  private List<Message> sent(long now, List<Message> out) {
    if (!out.isEmpty()) {
      lastSent = now;
    }
    return out;
  }

  // --- status for apps ---

  /** Every entry of {@code a}, an ack this session sent, its positions resolved. */
  VersionVector entriesOf(Ack a) throws ProtocolException {
    return base.entriesOf(a);
  }

  /** Records received that this replica already held, since the session began. */
  public long duplicateRecords() {
    return duplicateRecords;
  }

  /** The peer's replica, once its hello arrived. */
  public ReplicaId peer() {
    return peer;
  }

  public boolean isOpen() {
    return peer != null;
  }

  /** Whether the peer said in its hello that it is a relay. */
  public boolean peerIsRelay() {
    return peerRelay;
  }

  /** What the peer holds, as far as it told us. */
  public VersionVector peerVector() {
    return peerVector;
  }

  /** Records we hold that the peer does not, as far as we know. */
  public long pendingOut() {
    return gap(local.vector(), peerVector);
  }

  /** Records the peer holds that we do not, as far as we know. */
  public long pendingIn() {
    return gap(peerVector, local.vector());
  }

  /** When we last heard from the peer or sent to it, whichever is later. */
  public long lastExchange() {
    return Math.max(lastHeard, lastSent);
  }

  private static long gap(VersionVector a, VersionVector b) {
    long n = 0;
    for (int i = 0; i < a.size(); i++) {
      n += Math.max(0, a.counterAt(i) - b.get(a.replicaAt(i)));
    }
    return n;
  }
}
