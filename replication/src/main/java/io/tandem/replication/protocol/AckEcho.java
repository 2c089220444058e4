package io.tandem.replication.protocol;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;

/**
 * Acks said again over a lossy link. A peer that resends records we already hold shows that our
 * acks are being lost; an ack is a dozen bytes and a resend a whole window of records, so for a
 * while after each such duplicate the ack of those feeds goes again every {@code everyMillis},
 * spelled out, until one gets through and the resends stop (part 4's world (a), where nine sends
 * in ten are lost, acks included). Over an ordered transport acks are not lost: the window is 0.
 *
 * <p>Once it is on, new records the peer sends keep it on: their ack is as likely to be lost.
 *
 * <p>Law: nothing is echoed unless a duplicate, or new records while the echo was on, came
 * within {@code windowMillis}; an echo states only what this replica holds (its vector), for
 * feeds the peer sent since.
 */
final class AckEcho {

  private final long windowMillis;
  private final long everyMillis;
  private VersionVector feeds = VersionVector.empty();
  private long until = Long.MIN_VALUE;
  private long next = Long.MIN_VALUE;

  AckEcho(long windowMillis, long everyMillis) {
    this.windowMillis = windowMillis;
    this.everyMillis = everyMillis;
  }

  /** The peer resent records of these feeds that we held (the ack just went once). */
  void duplicates(VersionVector v, long now) {
    if (windowMillis == 0) {
      return;
    }
    feeds = feeds.merge(v);
    until = now + windowMillis;
    next = Math.max(next, now + everyMillis);
  }

  /**
   * New records of these feeds came while the echo is on: our acks are being lost, so the ack
   * of these goes again too, and the echo lasts {@code windowMillis} from now. Without this, the
   * ack of new records went once and, lost, was said again only after the peer had resent them
   * and a resend had got through: part 4's world (a) lost nine acks in ten, and copies of
   * records the receiver held from this very sender were a quarter of the records sent (seed
   * 10: 8,514 of 33,845 copies).
   */
  void fresh(VersionVector v, long now) {
    if (windowMillis == 0 || now >= until || v.isEmpty()) {
      return;
    }
    feeds = feeds.merge(v);
    until = now + windowMillis;
    next = Math.max(next, now + everyMillis);
  }

  /** The entries of {@code mine} to ack again at {@code now}; empty if none is due. */
  VersionVector due(VersionVector mine, long now) {
    if (feeds.isEmpty() || now < next) {
      return VersionVector.empty();
    }
    if (now >= until) {
      feeds = VersionVector.empty();
      return VersionVector.empty();
    }
    next = now + everyMillis;
    VersionVector out = VersionVector.empty();
    for (int i = 0; i < feeds.size(); i++) {
      ReplicaId origin = feeds.replicaAt(i);
      out = out.with(origin, mine.get(origin));
    }
    return out;
  }
}
