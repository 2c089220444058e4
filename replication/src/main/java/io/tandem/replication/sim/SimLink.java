package io.tandem.replication.sim;

import java.util.SplittableRandom;

/**
 * The link between two simulated endpoints: one up/down state for the pair, and per direction
 * its conditions and a random stream of its own, so that traffic in one direction never shifts
 * the draws of another and a run stays comparable when one link's load changes.
 *
 * <p>{@code session} counts the link's transitions. A delivery remembers the session it was sent
 * in and is discarded if the link went down (and maybe up again) meanwhile: that is how frames in
 * flight are lost at a disconnect without searching the event queue.
 */
final class SimLink {

  final SimEndpoint a;
  final SimEndpoint b;
  private final SplittableRandom fromA;
  private final SplittableRandom fromB;
  private LinkConditions aToB;
  private LinkConditions bToA;
  boolean up;
  long session;
  int inFlight;
  /** Virtual time before which a transport's {@code disconnect} keeps the link down. */
  long cutUntil = Long.MIN_VALUE;
  /** Cut by the test until restored or healed, whatever the nodes do. */
  boolean severed;
  /**
   * Per direction, when the last frame sent on an ordered link arrives: the next one may not
   * arrive before it. Reset when the link goes down, since what was in flight is lost.
   */
  private long lastArrivalFromA = Long.MIN_VALUE;
  private long lastArrivalFromB = Long.MIN_VALUE;

  SimLink(SimEndpoint a, SimEndpoint b, LinkConditions conditions, SplittableRandom fromA,
      SplittableRandom fromB) {
    this.a = a;
    this.b = b;
    this.aToB = conditions;
    this.bToA = conditions;
    this.fromA = fromA;
    this.fromB = fromB;
  }

  SimEndpoint other(SimEndpoint end) {
    return end == a ? b : a;
  }

  LinkConditions conditionsFrom(SimEndpoint from) {
    return from == a ? aToB : bToA;
  }

  void setConditionsFrom(SimEndpoint from, LinkConditions c) {
    if (from == a) {
      aToB = c;
    } else {
      bToA = c;
    }
  }

  long lastArrivalFrom(SimEndpoint from) {
    return from == a ? lastArrivalFromA : lastArrivalFromB;
  }

  void setLastArrivalFrom(SimEndpoint from, long time) {
    if (from == a) {
      lastArrivalFromA = time;
    } else {
      lastArrivalFromB = time;
    }
  }

  void resetArrivals() {
    lastArrivalFromA = Long.MIN_VALUE;
    lastArrivalFromB = Long.MIN_VALUE;
  }

  SplittableRandom randomFrom(SimEndpoint from) {
    return from == a ? fromA : fromB;
  }
}
