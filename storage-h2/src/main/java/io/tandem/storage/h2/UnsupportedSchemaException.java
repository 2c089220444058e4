package io.tandem.storage.h2;

import io.tandem.replication.spi.StoreException;

/**
 * The store was written by a newer build of Tandem (its schema version is above the one this
 * build knows) and is left untouched. Upgrade the application; never downgrade the file.
 */
public class UnsupportedSchemaException extends StoreException {

  private static final long serialVersionUID = 1L;

  private final int found;
  private final int supported;

  public UnsupportedSchemaException(String store, int found, int supported) {
    super("store " + store + " has schema version " + found + "; this build reads versions up to "
        + supported + ": open it with a newer Tandem");
    this.found = found;
    this.supported = supported;
  }

  /** The schema version the file holds. */
  public int found() {
    return found;
  }

  /** The highest schema version this build reads. */
  public int supported() {
    return supported;
  }
}
