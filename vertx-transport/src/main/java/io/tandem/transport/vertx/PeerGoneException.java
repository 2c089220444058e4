package io.tandem.transport.vertx;

/** A send to a connection that is closed, or to a peer id this transport does not know. */
public final class PeerGoneException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PeerGoneException(String message) {
    super(message, null, false, false);
  }
}
