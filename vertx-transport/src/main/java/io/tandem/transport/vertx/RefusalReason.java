package io.tandem.transport.vertx;

/**
 * Why a connection was refused or closed by this side, as metrics count it (the pinned trust's
 * {@link Refusal} says more about the TLS refusals). Every refusal is logged with its detail
 * and counted in {@link PeerMetrics#refusals()}.
 */
public enum RefusalReason {
  /** The first bytes were not this transport's preamble, or spoke another version. */
  BAD_PREAMBLE,
  /** A length prefix above the maximum frame size; closed before any memory was taken for it. */
  FRAME_TOO_LARGE,
  /** A frame's body did not complete within the idle timeout. */
  INCOMPLETE_FRAME,
  /** No preamble (or no TLS handshake) within the hello timeout: a slow-loris. */
  HELLO_TIMEOUT,
  /** Nothing read, not even a heartbeat, within the idle timeout. */
  IDLE_TIMEOUT,
  /** The connection bound was reached. */
  TOO_MANY_CONNECTIONS,
  /** The peer's key was never paired with this device. */
  UNPAIRED,
  /** The peer's key was paired once and has been revoked. */
  REVOKED,
  /** The peer sent no certificate although one is required. */
  NO_CERTIFICATE,
  /** The peer's certificate does not parse or is not X.509. */
  BAD_CERTIFICATE,
  /** The TLS handshake failed otherwise: plain TCP, garbage, another TLS version, a timeout. */
  HANDSHAKE_FAILED,
  /** The replica closed the session over a protocol violation. */
  PROTOCOL_VIOLATION;

  /** The transport's name for a refusal by the pinned trust (pairing reasons do not occur). */
  static RefusalReason of(Refusal.Reason tls) {
    switch (tls) {
      case UNPAIRED:
        return UNPAIRED;
      case REVOKED:
        return REVOKED;
      case NO_CERTIFICATE:
        return NO_CERTIFICATE;
      case BAD_CERTIFICATE:
        return BAD_CERTIFICATE;
      default:
        return HANDSHAKE_FAILED;
    }
  }
}
