package io.tandem.transport.vertx;

/** A send refused because the peer reads too slowly and the bounded outbox is full. */
public final class WriteQueueFullException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public WriteQueueFullException(String message) {
    super(message, null, false, false);
  }
}
