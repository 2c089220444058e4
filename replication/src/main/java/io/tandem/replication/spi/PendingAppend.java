package io.tandem.replication.spi;

/**
 * An append {@link ReplicaStore#appendQueued queued} in a store: {@link #await} returns once its
 * records are durable.
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
}
