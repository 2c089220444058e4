package io.tandem.replication.protocol;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.protocol.Message.Ack;
import io.tandem.replication.protocol.Message.Deltas;
import io.tandem.replication.protocol.Message.Ephemeral;
import io.tandem.replication.protocol.Message.Hello;
import io.tandem.replication.protocol.Message.Offer;
import io.tandem.replication.protocol.Message.Prune;
import io.tandem.replication.protocol.Message.Range;
import io.tandem.replication.protocol.Message.Request;
import io.tandem.replication.protocol.Message.Resend;
import io.tandem.replication.protocol.Message.SnapshotChunk;
import io.tandem.replication.protocol.Message.SnapshotFetch;
import io.tandem.replication.protocol.Message.SnapshotOffer;
import io.tandem.replication.protocol.Message.Summary;
import io.tandem.replication.protocol.ProtocolException.Reason;
import io.tandem.replication.spi.SyncBase;
import java.util.ArrayList;
import java.util.List;

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
 *
 * <p>The session is the coordinator of parts that share one {@link PeerView} of the peer: the
 * {@link Handshake} (hellos, summaries, stalls), the {@link SendWindow} (what went to the peer and
 * when it goes again, held back by the {@link HoldBack} while another path brings it), the
 * {@link Receiver} (records in, acks out), the {@link OfferExchange} (offers and requests, in
 * interactive mode) and the {@link SnapshotUpload}. It routes each message to its part and
 * decides when to send.
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


    /**
     * A peer sent {@code r}, a record of this replica's own feed: whether it shows this
     * replica's id reused (a record beyond what it holds, or another one under a number it
     * holds: its store was restored from a backup or copied) and the replica moved to a new id,
     * which makes {@code r} a third replica's record from now on. The default never moves: a
     * record beyond what it holds is then a violation, one under a number it holds a duplicate.
     */
    default boolean reusedIdShownBy(DeltaRecord r) {
      return false;
    }

    /**
     * Whether this replica holds another record than {@code r} under its origin and number; a
     * duplicate is dropped unread otherwise, so this is asked only of a peer's own records.
     */
    default boolean holdsOther(DeltaRecord r) {
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

    /**
     * {@code peer} published {@code e}, for this replica's listeners only: it is not stored, not
     * acknowledged and not passed on. Told once per message, in the order of its seq.
     */
    default void ephemeral(ReplicaId peer, Ephemeral e) {}
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

  /**
   * The least grace of the session's waits (1 s by default): a claim, a record held back for
   * another path, the repeat of an ack or of a prune.
   */
  static long grace(SessionConfig config) {
    return CLAIM_ROUND_TRIPS * config.minBackoffMillis();
  }

  /** Over a lossy link, how long acks are said again once they are known to be lost (60 s). */
  static long ackEchoMillis(SessionConfig config) {
    return ACK_ECHO_WINDOWS * grace(config);
  }

  private final Local local;
  private final SessionConfig config;
  /** Who the peer is and what it holds, as far as we know: never more than it has. */
  private final PeerView peer = new PeerView();
  /** What went to the peer, and when it goes again. */
  private final SendWindow window;
  /** Offers, requests and what the peer requested of us, in interactive mode. */
  private final OfferExchange exchange;
  /** Our snapshot, for a peer that lacks what it covers. */
  private final SnapshotUpload snapshot;
  /** Records from the peer, and our acks of what we stored. */
  private final Receiver receiver;
  /** Our hello and summary, said again until the peer has them. */
  private final Handshake handshake;
  /** What we told the peer and heard from it, and how summaries and acks name origins. */
  private final SessionBase base;
  private long lastHeard = Long.MIN_VALUE;
  private long lastSent = Long.MIN_VALUE;
  /** The seq of the last ephemeral message delivered: one not above it is a copy or stale. */
  private long lastEphemeral;

  public SyncSession(Local local, SessionConfig config, long seed) {
    this.local = local;
    this.config = config;
    this.window = new SendWindow(local, config, peer, seed);
    this.handshake = new Handshake(local, config);
    this.base = new SessionBase(local);
    this.snapshot = new SnapshotUpload(local, config, peer);
    this.exchange = new OfferExchange(local, config, peer, base, window, this);
    this.receiver = new Receiver(local, config, peer, base, window, exchange);
  }

  /** The messages that open the session. */
  public List<Message> start(long now) {
    handshake.started(now);
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
    if (peer.id() == null && !(m instanceof Hello)) {
      if (config.ordered()) {
        throw new ProtocolException(Reason.VIOLATION, "message before hello: "
            + m.getClass().getSimpleName());
      }
      return List.of(); // it overtook the hello; its sender resends what matters
    }
    heard(now);
    if (m instanceof Ephemeral e) {
      // Outside the sync: nothing to answer, nothing that the window or the vectors learn.
      if (e.seq() > lastEphemeral) {
        lastEphemeral = e.seq();
        local.ephemeral(peer.id(), e);
      }
      return List.of();
    }
    List<Message> out = new ArrayList<>();
    if (m instanceof Hello h) {
      onHello(h, now, out);
    } else if (m instanceof Summary s) {
      onSummary(s, now, out);
    } else if (m instanceof Ack a) {
      VersionVector v = base.resolve(a);
      window.acked(v, now);
      window.learn(v, now);
    } else if (m instanceof Deltas d) {
      handshake.answered(now);
      receiver.deltas(d, received, out, now);
    } else if (m instanceof Offer o) {
      handshake.answered(now);
      exchange.offered(o, now, out);
    } else if (m instanceof Request q) {
      exchange.requested(base.resolve(q, local.vector()));
    } else if (m instanceof Resend r) {
      resend(r);
    } else if (m instanceof Prune p) {
      for (Range x : p.ranges()) {
        window.pruned(x.origin(), now);
      }
    } else if (m instanceof SnapshotOffer o) {
      window.learn(o.vector(), now); // the peer holds what its snapshot covers
      out.addAll(local.snapshotOffered(o, now));
    } else if (m instanceof SnapshotFetch f) {
      snapshot.fetched(f, now, out);
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
    if (peer.id() == null) {
      return List.of();
    }
    // Pumped first: own records pushed now are implied, so the ack does not announce them too
    // (the ack went first and named them, an ack frame beside every push of own writes).
    List<Message> pumped = pump(now);
    List<Message> out = new ArrayList<>(pumped.size() + 1);
    Ack grown = receiver.grown();
    if (grown != null) {
      out.add(grown);
    }
    out.addAll(pumped);
    return sent(now, out);
  }

  /**
   * This replica dropped records {@code from..to} of {@code origin}'s feed that the peer sent it
   * (its causal buffer was full) and now they are the next it can apply: the message that asks
   * the peer for them again.
   */
  public List<Message> evicted(ReplicaId origin, long from, long to, long now) {
    if (peer.id() == null || origin.equals(local.id())) {
      return List.of();
    }
    return sent(now, List.of(new Resend(List.of(new Range(origin, from, to)))));
  }

  /**
   * The peer dropped records we sent it: a feed we push goes again from the first dropped, one
   * we serve on request is served again. Its own feed it holds whole: such a range is ignored.
   */
  private void resend(Resend r) {
    for (Range x : r.ranges()) {
      if (x.origin().equals(peer.id())) {
        continue;
      }
      if (window.pushes(x.origin())) {
        window.resendFrom(x.origin(), x.from());
      } else {
        exchange.requested(List.of(x));
      }
    }
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
    if (peer.id() == null || !handshake.summarized()) {
      Hello again = handshake.helloDue(now); // no hello yet, or no summary
      if (again != null) {
        hellos = List.of(again);
      }
      if (peer.id() == null) {
        return sent(now, hellos);
      }
    }
    List<Message> resends = resends(now, sendsQueued);
    if (handshake.echoDue(now)) {
      resends = new ArrayList<>(resends);
      if (hellos.isEmpty()) {
        resends.add(hello(true));
      }
      resends.add(offering(base.whole(0), now));
      sent(now, resends);
    }
    Request again = exchange.askAgain(now);
    if (again != null) {
      resends = new ArrayList<>(resends);
      resends.add(again);
      sent(now, resends);
    }
    Ack echo = receiver.echo(now);
    if (echo != null) {
      resends = new ArrayList<>(resends);
      resends.add(echo);
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
    window.lost(m);
  }

  private List<Message> resends(long now, boolean sendsQueued) {
    if (handshake.stalled(now, () -> pendingIn() > 0)) {
      // Tell the peer whole what we hold, replacing its belief.
      return sent(now, List.of(offering(base.whole(Summary.RESET), now)));
    }
    boolean due = window.wake(now);
    if (snapshot.overdue(now)) {
      due = true;
    }
    List<Range> again = new ArrayList<>();
    if (window.restartOverdue(now, sendsQueued, again)) {
      due = true;
    }
    exchange.requested(again);
    return due ? sent(now, pump(now)) : List.of();
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
    if (peer.id() != null) {
      if (!peer.id().equals(h.replica())) {
        throw new ProtocolException(Reason.VIOLATION, "peer changed identity from " + peer.id()
            + " to " + h.replica());
      }
      if (!h.heardYou()) {
        // Our hello or summary was lost: say both again, once per unanswered hello, and whole,
        // since the peer may also lack the base.
        out.add(hello(true));
        out.add(offering(base.whole(0), now));
        handshake.saidAgain(now);
      }
      return;
    }
    // Our own hello went out at start; only a second unanswered hello means it was lost.
    peer.open(h.replica(), h.relay());
    VersionVector heard = local.base(peer.id()).heard();
    // What the peer stated in an earlier session it still holds (acks mean "stored"), for the
    // status shown until its summary comes. A base claiming more of our own feed than we hold
    // is not trusted; the summary will tell.
    if (!heard.isEmpty() && heard.get(local.id()) <= local.vector().get(local.id())) {
      peer.vector(peer.vector().merge(heard));
    }
    out.add(offering(base.open(peer.id()), now));
  }

  /**
   * {@code s}, about to be sent. In interactive mode a summary is also an offer of everything it
   * states the peer may lack: the peer requests from it, so no separate offer goes for that, and
   * what is not requested is offered again after the usual delay.
   */
  private Summary offering(Summary s, long now) {
    if (config.interactive()) {
      window.offeredInSummary(local.vector(), now);
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
      handshake.wholeAsked(now);
      return;
    }
    if ((s.flags() & Summary.RESET) != 0) {
      // What the peer holds is v, whatever we believed: resend from there.
      peer.vector(v);
      window.reset(v);
    }
    window.stated(v);
    window.learn(v, now);
    handshake.summarize();
    if (config.interactive()) {
      exchange.summarized(v, now, out); // the summary offers what it states
    }
    handshake.offered(now);
  }

  /** What the peer lacks and the window allows, in feed order. */
  private List<Message> pump(long now) {
    if (peer.id() == null || !handshake.summarized()) {
      return List.of();
    }
    List<Message> out = new ArrayList<>();
    VersionVector mine = local.vector();
    exchange.forgetHeld(mine);
    snapshot.offer(now, out);
    if (config.interactive()) {
      window.offer(mine, out, now);
      exchange.serve(mine, out, now);
    }
    // In interactive mode too, our own records are pushed: no peer can have had them from
    // anyone but us before we sent them, so an offer would only cost a round trip (over a
    // lossy link two legs more to lose: part 4's world (a), median 74 s against 9.9 s).
    window.push(mine, out, now);
    return out;
  }

  private void heard(long now) {
    if (lastHeard != Long.MIN_VALUE && now - lastHeard > window.timeout()) {
      window.peerBack(now);
    }
    lastHeard = now;
  }

  private Hello hello() {
    return hello(peer.id() != null);
  }

  private Hello hello(boolean heardYou) {
    return handshake.hello(heardYou);
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

  /** How many feeds the send window remembers a path of, for tests. */
  int feedsHeldBack() {
    return window.feedsHeldBack();
  }

  /** Records received that this replica already held, since the session began. */
  public long duplicateRecords() {
    return receiver.duplicateRecords();
  }

  /** The peer's replica, once its hello arrived. */
  public ReplicaId peer() {
    return peer.id();
  }

  public boolean isOpen() {
    return peer.id() != null;
  }

  /** Whether the peer said in its hello that it is a relay. */
  public boolean peerIsRelay() {
    return peer.relay();
  }

  /** What the peer holds, as far as it told us. */
  public VersionVector peerVector() {
    return peer.vector();
  }

  /** Records we hold that the peer does not, as far as we know. */
  public long pendingOut() {
    return gap(local.vector(), peer.vector());
  }

  /** Records the peer holds that we do not, as far as we know. */
  public long pendingIn() {
    return gap(peer.vector(), local.vector());
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
