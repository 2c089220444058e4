package io.tandem.transport.vertx;

/**
 * A pairing that failed. Nothing was pinned on this side; the attempt counts against the
 * {@link PairingBudget}.
 */
public final class PairingException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why a pairing failed. */
  public enum Reason {
    /** The code typed is not the code shown (or a man in the middle changed the exchange). */
    WRONG_CODE,
    /** A revealed value does not match the commitment made before. */
    BROKEN_COMMITMENT,
    /** The keys in the exchange are not the keys of the TLS connection, or are our own. */
    KEY_MISMATCH,
    /** The peer's key was revoked here and is never trusted again. */
    REVOKED,
    /** A message out of order, or one that does not decode. */
    PROTOCOL,
    /** The peer ended the exchange. */
    ABORTED_BY_PEER,
    /** The exchange did not finish in time, or the connection closed. */
    TIMEOUT,
    /** Too many pairings failed recently; try again later. */
    BUDGET_EXHAUSTED
  }

  private final Reason reason;

  public PairingException(Reason reason, String message) {
    // No stack trace: the reason and message say what failed, and an online or offline guesser
    // must not be able to make each refused attempt cost us a stack walk.
    super(reason + ": " + message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
