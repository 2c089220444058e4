package io.tandem.replication.protocol;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.protocol.Message.Offer;
import io.tandem.replication.protocol.Message.Range;
import io.tandem.replication.protocol.Message.Request;
import io.tandem.replication.protocol.ProtocolException.Reason;
import java.util.ArrayList;
import java.util.List;

/**
 * The interactive exchange with one peer, as MVDS and SyncStep1/2 have it: the peer offers third
 * replicas' records (in an offer, or in its summary), this side requests what it lacks and no
 * other session is about to bring, asks again what does not come, and serves what the peer
 * requests of it. The offers this side makes are sent by the {@link SendWindow}, which also
 * resends what it served.
 *
 * <p>Law: a range is requested from one session at a time ({@link SyncSession.Local#claim});
 * a device with a relay at hand requests another device's offer only after a grace
 * ({@link DirectGrace}); what was requested and still lacks is asked again over a lossy link
 * ({@link OpenRequests}); a request is served only up to what this side holds.
 */
final class OfferExchange {

  private final SyncSession.Local local;
  private final SessionConfig config;
  private final PeerView peer;
  private final SessionBase base;
  private final SendWindow window;
  /** Who claims the records this side requests: the session, one per peer. */
  private final Object claimant;
  /** What the peer requested of us and was not served yet. */
  private final List<Range> requested = new ArrayList<>();
  /** The same, for requests: a device asks another device for records the relay may bring. */
  private final DirectGrace askGrace;
  /** Over a lossy link, what we requested and lack, asked again until it comes. */
  private final OpenRequests openRequests;

  OfferExchange(SyncSession.Local local, SessionConfig config, PeerView peer, SessionBase base,
      SendWindow window, Object claimant) {
    this.local = local;
    this.config = config;
    this.peer = peer;
    this.base = base;
    this.window = window;
    this.claimant = claimant;
    this.askGrace = new DirectGrace(SyncSession.grace(config));
    this.openRequests = new OpenRequests(config.ordered() ? 0 : config.minBackoffMillis(),
        SendWindow.resendCap(config));
  }

  /** The peer requested {@code ranges}: served at the next pump. */
  void requested(List<Range> ranges) {
    requested.addAll(ranges);
  }

  /** Requests of the peer's summary {@code v}, which offers what it states, what we lack. */
  void summarized(VersionVector v, long now, List<Message> out) {
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

  /** Requests what we lack of the peer's offer {@code o}, and acks what we hold of it. */
  void offered(Offer o, long now, List<Message> out) throws ProtocolException {
    VersionVector mine = local.vector();
    List<Range> want = new ArrayList<>();
    VersionVector have = VersionVector.empty();
    for (Range r : o.ranges()) {
      if (r.origin().equals(local.id()) && r.to() > mine.get(local.id())) {
        // A claim, which proves nothing (only records do: Identity), and must not make us
        // believe the peer holds numbers we have yet to write. Ignored, as SendWindow.learn does.
        continue;
      }
      VersionVector held = peer.vector();
      if (r.to() > held.get(r.origin()) && r.from() <= held.get(r.origin()) + 1) {
        peer.vector(held.with(r.origin(), r.to()));
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

  /** Records we requested came: what is still open is asked again after the first delay. */
  void progress(long now) {
    openRequests.progress(now);
  }

  /** We hold {@code mine}: waits for what it covers of the peer's offers end. */
  void forgetHeld(VersionVector mine) {
    askGrace.forgetHeld(mine, peer.vector());
  }

  /**
   * Keeps {@code want}, just requested, to ask again if it does not come; not the peer's own feed,
   * which it pushes whether asked or not.
   */
  private void asked(List<Range> want, long now) {
    List<Range> others = new ArrayList<>(want.size());
    for (Range r : want) {
      if (!r.origin().equals(peer.id())) {
        others.add(r);
      }
    }
    openRequests.asked(others, now);
  }

  /** The request of what we asked for and still lack, if due; null if none is. */
  Request askAgain(long now) {
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
    if (!config.relay() && !peer.relay() && local.relayOpen() && !askGrace.mayGo(origin, now)) {
      return; // the relay offers them too, or this peer offers them again after the grace
    }
    long free = local.claim(origin, from, to, claimant, now, now + SyncSession.CLAIM_ROUND_TRIPS
        * config.minBackoffMillis());
    if (free <= to) {
      want.add(new Range(origin, free, to));
    }
  }

  /** Adds to {@code out} the records the peer requested, of those in {@code mine}. */
  void serve(VersionVector mine, List<Message> out, long now) {
    DeltasBatch batch = new DeltasBatch(config, out);
    for (Range r : requested) {
      long next = Math.max(r.from(), peer.vector().get(r.origin()) + 1);
      if (r.origin().equals(local.id())) {
        // Pushed already (the peer requested them from our summary): resends handle a loss.
        next = Math.max(next, window.sentUpTo(r.origin()) + 1);
      }
      long to = Math.min(r.to(), mine.get(r.origin()));
      while (next <= to) {
        List<DeltaRecord> run = local.read(r.origin(), next,
            (int) Math.min(config.batchRecords(), to - next + 1));
        if (run.isEmpty()) {
          break;
        }
        for (DeltaRecord d : run) {
          batch.add(d);
          next = d.seq() + 1;
        }
        window.served(r.origin(), next - 1, now);
      }
    }
    requested.clear();
    batch.flush();
  }
}
