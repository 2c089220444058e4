package io.tandem.crdt;

/**
 * A state-based CRDT: an immutable value of a join-semilattice.
 *
 * <p>{@code merge} is the join: commutative, associative and idempotent, so replicas that have
 * merged the same values hold equal values, whatever the order and however often they merged.
 * Mutators of each type return a <em>delta</em>, a small value of the same type such that
 * {@code state.merge(delta)} is the new state; the receiver never changes.
 *
 * @param <T> the implementing type
 */
public interface Crdt<T extends Crdt<T>> {

  /** The join of this value and {@code other}; neither changes. */
  T merge(T other);
}
