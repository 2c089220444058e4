package io.tandem.replication.spi;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An append {@link ReplicaStore#appendQueued queued} in a store: {@link #await} returns once its
 * records are durable; {@link #whenDurable} tells the same without a waiting thread. Use one of
 * the two per append.
 */
@FunctionalInterface
public interface PendingAppend {

  /** A handle for records already durable. */
  PendingAppend DONE = () -> {};

  /**
   * Returns once the records are durable.
   *
   * @throws IllegalArgumentException if the store refused them (a gap or a repeat)
   * @throws StoreException if they could not be made durable
   */
  void await();

  /**
   * Completes once the records are durable, or exceptionally with what {@link #await} would
   * throw. A store that commits on its own threads completes it on one of them, holding none of
   * its locks, and in the order the appends were queued, so the caller may take its own locks
   * there; the caller must not hold, while asking, a lock its completion code takes (it may run
   * at once, on the calling thread).
   *
   * <p>The default awaits on the calling thread and returns a completed stage.
   */
  default CompletionStage<Void> whenDurable() {
    try {
      await();
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Whether the records are durable already, as far as the store can tell at once, without
   * waiting: true only once they are. A store that commits queued appends in groups says so for
   * every append of a group as soon as the group is committed, before it completes their stages
   * one by one; so whoever settles one append may settle the others of its group with it, and
   * publish and send the group as one. The default says false: nothing is known until the
   * append's own {@link #await} or {@link #whenDurable}.
   */
  default boolean durable() {
    return false;
  }
}
