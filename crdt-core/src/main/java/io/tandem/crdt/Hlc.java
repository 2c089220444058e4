package io.tandem.crdt;

import java.util.Objects;

/**
 * A hybrid logical clock timestamp (Kulkarni et al., 2014): physical milliseconds, a logical
 * counter for events within one millisecond, and the replica that issued it. Timestamps are
 * totally ordered by (wall, logical, replica), so two replicas never tie.
 *
 * <p>The clock reads no time of its own: {@link #tick(long)} and {@link #receive(Hlc, long, long)}
 * take the physical time as an argument. A clock never moves backwards, whatever the physical
 * time does, so an event that causally follows another always carries a larger timestamp.
 */
public record Hlc(long wallMillis, int logical, ReplicaId replica) implements Comparable<Hlc> {

  /**
   * The latest wall time a timestamp may carry: far beyond any real clock, and low enough that
   * a successor never overflows.
   */
  public static final long MAX_WALL_MILLIS = 1L << 62;

  /** How far ahead of local physical time a remote timestamp may pull the clock by default. */
  public static final long DEFAULT_MAX_OFFSET_MILLIS = 60_000;

  public Hlc {
    Objects.requireNonNull(replica, "replica");
    if (wallMillis < 0 || wallMillis > MAX_WALL_MILLIS) {
      throw new IllegalArgumentException("wall time out of range: " + wallMillis);
    }
    if (logical < 0) {
      throw new IllegalArgumentException("negative logical counter " + logical);
    }
  }

  /** The clock of a replica that has issued nothing yet. */
  public static Hlc zero(ReplicaId replica) {
    return new Hlc(0, 0, replica);
  }

  /**
   * The timestamp of a local event at physical time {@code nowMillis}: greater than this one.
   * Within one frozen millisecond the logical counter counts events; should it ever reach its
   * maximum, the wall part advances by one instead of wrapping into a wrong order.
   */
  public Hlc tick(long nowMillis) {
    if (nowMillis > wallMillis) {
      return new Hlc(nowMillis, 0, replica);
    }
    return successor(replica);
  }

  /**
   * The clock after seeing {@code remote} at physical time {@code nowMillis}, with the default
   * bound of {@value #DEFAULT_MAX_OFFSET_MILLIS} ms. See {@link #receive(Hlc, long, long)}.
   */
  public Hlc receive(Hlc remote, long nowMillis) {
    return receive(remote, nowMillis, DEFAULT_MAX_OFFSET_MILLIS);
  }

  /**
   * The clock after seeing {@code remote} at physical time {@code nowMillis}: greater than both
   * this clock and {@code remote}, unless {@code remote} lies more than {@code maxOffsetMillis}
   * ahead of {@code nowMillis}. A clock that far ahead is broken or hostile; adopting it would
   * drag this replica into the future with it. Then the clock advances only as far as the bound
   * allows, and the caller should hold whatever carried {@code remote} until physical time
   * catches up ({@link #isAheadOf(long, long)} tells), so that nothing causally after it is
   * timestamped before it.
   */
  public Hlc receive(Hlc remote, long nowMillis, long maxOffsetMillis) {
    if (maxOffsetMillis < 0) {
      throw new IllegalArgumentException("negative max offset " + maxOffsetMillis);
    }
    Hlc seen = remote;
    if (remote.isAheadOf(nowMillis, maxOffsetMillis)) {
      long bound = saturatedAdd(nowMillis, maxOffsetMillis);
      seen = new Hlc(bound, 0, remote.replica);
    }
    long wall = Math.max(Math.max(wallMillis, seen.wallMillis), nowMillis);
    Hlc base;
    if (wall == wallMillis && wall == seen.wallMillis) {
      base = logical >= seen.logical ? this : new Hlc(wall, seen.logical, replica);
    } else if (wall == wallMillis) {
      base = this;
    } else if (wall == seen.wallMillis) {
      base = new Hlc(wall, seen.logical, replica);
    } else {
      return new Hlc(wall, 0, replica);
    }
    return base.successor(replica);
  }

  /** Whether this timestamp lies more than {@code maxOffsetMillis} ahead of {@code nowMillis}. */
  public boolean isAheadOf(long nowMillis, long maxOffsetMillis) {
    return wallMillis > saturatedAdd(nowMillis, maxOffsetMillis);
  }

  /**
   * The smallest timestamp of {@code issuer} greater than this one. A write that overrides a value
   * it has seen uses this when its own clock lags behind the value's timestamp.
   */
  public Hlc successor(ReplicaId issuer) {
    if (logical == Integer.MAX_VALUE) {
      return new Hlc(Math.addExact(wallMillis, 1), 0, issuer);
    }
    if (issuer.compareTo(replica) > 0) {
      return new Hlc(wallMillis, logical, issuer);
    }
    return new Hlc(wallMillis, logical + 1, issuer);
  }

  /** The larger of the two timestamps. */
  public Hlc max(Hlc other) {
    return compareTo(other) >= 0 ? this : other;
  }

  @Override
  public int compareTo(Hlc o) {
    int c = Long.compare(wallMillis, o.wallMillis);
    if (c != 0) {
      return c;
    }
    c = Integer.compare(logical, o.logical);
    return c != 0 ? c : replica.compareTo(o.replica);
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  @Override
  public String toString() {
    return wallMillis + "." + logical + "@" + replica;
  }
}
