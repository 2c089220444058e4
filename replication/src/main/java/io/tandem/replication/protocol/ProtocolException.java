package io.tandem.replication.protocol;

/**
 * A frame or message that breaks the protocol. The session that got it is closed with this
 * reason logged, and the replica's state does not change.
 */
public final class ProtocolException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why a frame was refused. */
  public enum Reason {
    /** The frame ends before the message does. */
    TRUNCATED,
    /** Bytes that are no message: a bad varint, a count that lies, trailing bytes. */
    MALFORMED,
    /** A message type this version does not know. */
    UNKNOWN_TYPE,
    /** A peer speaking another protocol version. */
    UNSUPPORTED_VERSION,
    /** A frame, count or string beyond the configured limits. */
    LIMIT_EXCEEDED,
    /** A well-formed message that breaks a rule: before hello, a bad sequence, a bad payload. */
    VIOLATION
  }

  private final Reason reason;

  public ProtocolException(Reason reason, String message) {
    super(reason + ": " + message);
    this.reason = reason;
  }

  public ProtocolException(Reason reason, String message, Throwable cause) {
    super(reason + ": " + message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
