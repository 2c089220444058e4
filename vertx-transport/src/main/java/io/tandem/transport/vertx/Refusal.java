package io.tandem.transport.vertx;

import java.util.Objects;

/**
 * Why a peer was refused, for logs, metrics and tests. {@code peer} is the fingerprint of the key
 * the peer presented, or null when it presented none or none that parses.
 */
public record Refusal(Reason reason, Fingerprint peer, String detail) {

  /** The kinds of refusal. */
  public enum Reason {
    /** The peer's key was never paired with this device. */
    UNPAIRED,
    /** The peer's key was paired once and has been revoked: it is never trusted again. */
    REVOKED,
    /** The peer sent no certificate although one is required. */
    NO_CERTIFICATE,
    /** The peer's certificate does not parse or is not X.509. */
    BAD_CERTIFICATE,
    /** The TLS handshake failed otherwise: plain TCP, garbage, another protocol version. */
    HANDSHAKE_FAILED,
    /** A pairing exchange failed: wrong code, broken commitment, keys that differ from TLS. */
    PAIRING_FAILED,
    /** Pairing was refused because too many attempts failed recently. */
    PAIRING_BUDGET_EXHAUSTED
  }

  public Refusal {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(detail, "detail");
  }

  @Override
  public String toString() {
    return reason + (peer == null ? "" : " " + peer.abbreviated()) + ": " + detail;
  }
}
