package io.tandem.crdt;

import java.util.Objects;

/**
 * Counter that goes up and down: a grow-only counter of increments and one of decrements.
 * {@code merge} is the join of both, so commutative, associative, idempotent. The value is
 * increments minus decrements.
 *
 * <pre>{@code
 * PnCounter d = stock.decrement(self, 2);
 * stock = stock.merge(d);
 * }</pre>
 */
public final class PnCounter implements Crdt<PnCounter> {

  private static final PnCounter EMPTY = new PnCounter(GCounter.empty(), GCounter.empty());

  private final GCounter increments;
  private final GCounter decrements;

  private PnCounter(GCounter increments, GCounter decrements) {
    this.increments = increments;
    this.decrements = decrements;
  }

  public static PnCounter empty() {
    return EMPTY;
  }

  public static PnCounter of(GCounter increments, GCounter decrements) {
    return new PnCounter(Objects.requireNonNull(increments), Objects.requireNonNull(decrements));
  }

  /**
   * Adds {@code amount} (negative amounts subtract) as replica {@code self}.
   *
   * @return the delta; the state is unchanged
   */
  public PnCounter increment(ReplicaId self, long amount) {
    if (amount < 0) {
      return decrement(self, Math.negateExact(amount));
    }
    return new PnCounter(increments.increment(self, amount), GCounter.empty());
  }

  /**
   * Subtracts {@code amount} (negative amounts add) as replica {@code self}.
   *
   * @return the delta; the state is unchanged
   */
  public PnCounter decrement(ReplicaId self, long amount) {
    if (amount < 0) {
      return increment(self, Math.negateExact(amount));
    }
    return new PnCounter(GCounter.empty(), decrements.increment(self, amount));
  }

  @Override
  public PnCounter merge(PnCounter other) {
    GCounter p = increments.merge(other.increments);
    GCounter n = decrements.merge(other.decrements);
    return p == increments && n == decrements ? this : new PnCounter(p, n);
  }

  /** Increments minus decrements. */
  public long value() {
    return increments.value() - decrements.value();
  }

  public GCounter increments() {
    return increments;
  }

  public GCounter decrements() {
    return decrements;
  }

  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof PnCounter c
        && increments.equals(c.increments) && decrements.equals(c.decrements);
  }

  @Override
  public int hashCode() {
    return 31 * increments.hashCode() + decrements.hashCode();
  }

  @Override
  public String toString() {
    return "PnCounter(" + value() + ")";
  }
}
