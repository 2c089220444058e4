package io.tandem.bench;

/**
 * Two replicas that diverged from a shared past, with the deltas each wrote since. The replicas
 * are built independently (no shared objects), as on two devices: Pekko's {@code ORSet.merge}
 * short-circuits when one side is the other's direct descendant, and shared subtrees would let
 * any persistent structure skip work that a real merge must do.
 */
interface Diverged extends AutoCloseable {

  /** Restores the two replicas where a peer's merge mutates them in place; else nothing. */
  default void reset() {}

  /** The join of the two whole states; returns it. */
  Object fullMerge();

  /** Each replica applies the other's deltas one by one; returns both results. */
  Object[] catchUp();

  @Override
  default void close() {}
}
