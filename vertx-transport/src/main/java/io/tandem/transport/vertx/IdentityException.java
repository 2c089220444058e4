package io.tandem.transport.vertx;

/**
 * A device's identity or trust file cannot be used. The file is left as it is and no new
 * identity is made in its place: a device that silently got a new key would lose every pairing,
 * and a file that silently lost revocations would trust a revoked device again.
 */
public final class IdentityException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why a file was refused. */
  public enum Reason {
    /** Bytes that do not decode: truncated, bit-flipped, not the format at all. */
    CORRUPTED,
    /** A well-formed file that is not a Tandem device's: another key type, other entries. */
    FOREIGN,
    /** The file system failed: unreadable, unwritable, a full disk. */
    IO
  }

  private final Reason reason;

  public IdentityException(Reason reason, String message, Throwable cause) {
    super(reason + ": " + message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
