package io.tandem.crdt;

/**
 * Grow-only counter. {@code merge} is the join: commutative, associative, idempotent, the
 * pointwise maximum of each replica's own count. The value is the sum of all counts.
 *
 * <pre>{@code
 * GCounter d = likes.increment(self, 1);
 * likes = likes.merge(d);
 * }</pre>
 */
public final class GCounter implements Crdt<GCounter> {

  /*
   * Each replica only ever raises its own entry, so the maximum per replica is the latest count
   * and the join of any two states loses no increment. A delta is just the writer's new entry.
   */

  private static final GCounter EMPTY = new GCounter(VersionVector.empty());

  private final VersionVector counts;

  private GCounter(VersionVector counts) {
    this.counts = counts;
  }

  public static GCounter empty() {
    return EMPTY;
  }

  /** The counter with these per-replica counts. */
  public static GCounter of(VersionVector counts) {
    return counts.isEmpty() ? EMPTY : new GCounter(counts);
  }

  /**
   * Adds {@code amount} as replica {@code self}.
   *
   * @return the delta; the state is unchanged
   * @throws IllegalArgumentException if amount is negative
   * @throws ArithmeticException if the replica's count would overflow
   */
  public GCounter increment(ReplicaId self, long amount) {
    if (amount < 0) {
      throw new IllegalArgumentException("a grow-only counter cannot add " + amount);
    }
    return new GCounter(VersionVector.of(self, Math.addExact(counts.get(self), amount)));
  }

  @Override
  public GCounter merge(GCounter other) {
    VersionVector m = counts.merge(other.counts);
    return m == counts ? this : m == other.counts ? other : new GCounter(m);
  }

  /** The sum of all counts (saturating at Long.MAX_VALUE). */
  public long value() {
    return counts.total();
  }

  /** Each replica's own count. */
  public VersionVector counts() {
    return counts;
  }

  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof GCounter g && counts.equals(g.counts);
  }

  @Override
  public int hashCode() {
    return counts.hashCode();
  }

  @Override
  public String toString() {
    return "GCounter(" + value() + ")" + counts;
  }
}
