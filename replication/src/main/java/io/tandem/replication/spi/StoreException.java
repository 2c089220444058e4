package io.tandem.replication.spi;

/** A store could not do what was asked: the disk is full, the file is damaged or locked. */
public class StoreException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
