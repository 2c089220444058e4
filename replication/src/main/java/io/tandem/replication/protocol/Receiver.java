package io.tandem.replication.protocol;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.protocol.Message.Ack;
import io.tandem.replication.protocol.Message.Deltas;
import io.tandem.replication.protocol.Message.Prune;
import io.tandem.replication.protocol.Message.Range;
import io.tandem.replication.protocol.ProtocolException.Reason;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The receiving side of one session: records from the peer, of which the new ones go to the
 * replica and the ones it holds are counted and acked at once (over a lossy link, again for a
 * while, and then the new ones too), and the acks of what the replica stored since the peer was last told. Kept apart from
 * the {@link SendWindow} because the two sides share only the peer's vector: records the peer
 * sends say what it holds.
 *
 * <p>Law: a record is handed to the replica at most once per arrival and only if this replica
 * lacks it; an ack never states more than this replica holds.
 */
final class Receiver {

  private final SyncSession.Local local;
  private final PeerView peer;
  private final SessionBase base;
  private final SendWindow window;
  private final OfferExchange exchange;
  /** Over a lossy link, acks said again for a while once the peer resends what we hold. */
  private final AckEcho ackEcho;
  /** Over an ordered transport, Prune is sent; not over a lossy link, whose copies are resends. */
  private final boolean prunes;
  private final long pruneEvery;
  /** Per third replica's feed, when the peer was last told to stop pushing it. */
  private final Map<ReplicaId, Long> prunedAt = new HashMap<>();
  private long duplicateRecords;

  Receiver(SyncSession.Local local, SessionConfig config, PeerView peer, SessionBase base,
      SendWindow window, OfferExchange exchange) {
    this.local = local;
    this.peer = peer;
    this.base = base;
    this.window = window;
    this.exchange = exchange;
    this.ackEcho = new AckEcho(config.ordered() ? 0 : SyncSession.ackEchoMillis(config),
        SyncSession.grace(config));
    this.prunes = config.ordered();
    this.pruneEvery = SyncSession.grace(config);
  }

  /**
   * Takes the records of {@code d}: the new ones go to {@code received}, in arrival order, and an
   * ack of those held already to {@code out}.
   *
   * @throws ProtocolException if the peer sent records of this replica's feed it never wrote
   *     (unless the replica took them as proof its id was reused and moved to a new one: they are
   *     a third replica's then), or none at all
   */
  void deltas(Deltas d, List<DeltaRecord> received, List<Message> out, long now)
      throws ProtocolException {
    VersionVector mine = local.vector();
    VersionVector duplicates = VersionVector.empty();
    VersionVector freshFeeds = VersionVector.empty();
    VersionVector authorHeld = VersionVector.empty();
    boolean fresh = false;
    Map<ReplicaId, Range> twice = null;
    for (DeltaRecord r : d.records()) {
      if (r.origin().equals(peer.id())) {
        // The peer wrote it holding what it depends on: an ack that comes with every record.
        authorHeld = authorHeld.merge(r.deps());
      }
      if (r.origin().equals(local.id()) && !local.reusedIdShownBy(r)
          && r.seq() > mine.get(local.id())) {
        throw new ProtocolException(Reason.VIOLATION, "peer sent " + r + " of this replica's"
            + " own feed, which it never wrote");
      }
      // The peer sends only what it holds, so it holds this feed up to here.
      VersionVector held = peer.vector();
      if (r.seq() > held.get(r.origin()) && r.seq() == held.get(r.origin()) + 1) {
        peer.vector(held.with(r.origin(), r.seq()));
      }
      if (r.seq() <= mine.get(r.origin())) {
        if (r.origin().equals(peer.id()) && local.holdsOther(r)) {
          // Its author wrote another record under a number we hold: its store was copied and
          // both copies wrote. Ours goes to it, for the copy to see its id reused (Identity).
          window.pushOwnFeedFrom(r.seq());
        }
        duplicates = duplicates.with(r.origin(), mine.get(r.origin()));
        duplicateRecords++;
        if (prunable(r.origin(), now)) {
          twice = twice == null ? new LinkedHashMap<>() : twice;
          Range had = twice.get(r.origin());
          twice.put(r.origin(), had == null ? new Range(r.origin(), r.seq(), r.seq())
              : new Range(r.origin(), Math.min(had.from(), r.seq()), Math.max(had.to(), r.seq())));
        }
      } else {
        received.add(r);
        freshFeeds = freshFeeds.with(r.origin(), r.seq());
        fresh = true;
      }
    }
    if (fresh) {
      exchange.progress(now);
      // While our acks are known to be lost, the ack of these goes again too.
      ackEcho.fresh(freshFeeds, now);
    }
    if (!authorHeld.isEmpty()) {
      window.learn(authorHeld, now);
    }
    if (!duplicates.isEmpty()) {
      // The sender did not get our ack, or could not read it (the summary with our dictionary
      // was lost), or resent early: tell it again, spelled out, or it resends for ever.
      out.add(base.ack(duplicates, true));
      ackEcho.duplicates(duplicates, now);
    }
    if (twice != null) {
      // Its author pushes these to us itself: the copies from the peer only cost both of us.
      twice.keySet().forEach(o -> prunedAt.put(o, now));
      out.add(new Prune(List.copyOf(twice.values())));
    }
    if (!fresh && d.records().isEmpty()) {
      throw new ProtocolException(Reason.VIOLATION, "empty deltas message");
    }
  }

  /**
   * Whether a copy of {@code origin}'s record that we held already is worth a {@link Prune}: a
   * third replica's feed over an ordered transport, whose author has a session with us (so its
   * records reach us from it), and the peer not told so within the last grace.
   */
  private boolean prunable(ReplicaId origin, long now) {
    if (!prunes || origin.equals(peer.id()) || origin.equals(local.id())
        || !local.connected(origin)) {
      return false;
    }
    Long at = prunedAt.get(origin);
    return at == null || now - at >= pruneEvery;
  }

  /** The ack of what the replica stored since the peer was last told; null if nothing grew. */
  Ack grown() {
    VersionVector mine = local.vector();
    // Built from arrays in one pass: thousands of feeds may grow at once (a bundle, a snapshot).
    long[] ids = new long[mine.size()];
    long[] counters = new long[mine.size()];
    int n = 0;
    for (int i = 0; i < mine.size(); i++) {
      ReplicaId origin = mine.replicaAt(i);
      // Our own feed is known to the peer from what we push; no need to announce it too.
      boolean implied = origin.equals(local.id())
          && window.sentUpTo(origin) >= mine.counterAt(i);
      // Records the peer itself sent are acked too: the ack says "stored", which is what
      // stops its resends.
      if (mine.counterAt(i) > base.told().get(origin) && !implied) {
        ids[n] = origin.value();
        counters[n++] = mine.counterAt(i);
      }
    }
    return n == 0 ? null : base.ack(VersionVector.ofSorted(Arrays.copyOf(ids, n),
        Arrays.copyOf(counters, n)), false);
  }

  /** Over a lossy link, the ack said again at {@code now}; null if none is due. */
  Ack echo(long now) {
    VersionVector echo = ackEcho.due(local.vector(), now);
    return echo.isEmpty() ? null : base.ack(echo, true);
  }

  /** Records received that this replica already held, since the session began. */
  long duplicateRecords() {
    return duplicateRecords;
  }
}
