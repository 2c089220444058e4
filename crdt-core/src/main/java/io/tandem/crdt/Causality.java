package io.tandem.crdt;

/** How two version vectors relate (riak_dt and Pekko use the same four answers). */
public enum Causality {
  /** The receiver saw strictly less than the argument. */
  BEFORE,
  /** The receiver saw strictly more than the argument. */
  AFTER,
  /** Both saw exactly the same events. */
  EQUAL,
  /** Each saw something the other did not. */
  CONCURRENT
}
