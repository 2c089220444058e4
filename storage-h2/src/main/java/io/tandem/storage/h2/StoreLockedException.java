package io.tandem.storage.h2;

import io.tandem.replication.spi.StoreException;

/**
 * Another process, or another open handle in this one, owns the store. One replica owns a store
 * file at a time; H2's file lock (never disabled) enforces it across processes.
 */
public class StoreLockedException extends StoreException {

  private static final long serialVersionUID = 1L;

  public StoreLockedException(String message, Throwable cause) {
    super(message, cause);
  }
}
