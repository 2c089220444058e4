package io.tandem.storage.h2;

import io.tandem.replication.spi.StoreException;

/**
 * The store's file is damaged: truncated, bit-flipped, missing its schema, or holding a row that
 * does not decode. The store refuses to open or to serve the damaged part rather than act as an
 * empty or shorter replica, which would reissue dots it already gave out.
 *
 * <p>Recovery: {@link H2ReplicaStore#quarantine} moves the damaged file aside, the next open
 * creates a new store, and the replica starts under a new id and pulls its state from a trusted
 * device. The old id is never reused.
 */
public class StoreCorruptedException extends StoreException {

  private static final long serialVersionUID = 1L;

  public StoreCorruptedException(String message) {
    super(message);
  }

  public StoreCorruptedException(String message, Throwable cause) {
    super(message, cause);
  }
}
