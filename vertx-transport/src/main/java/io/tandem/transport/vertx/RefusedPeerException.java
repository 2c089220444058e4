package io.tandem.transport.vertx;

import java.security.cert.CertificateException;

/**
 * A peer the pinned trust refused. It is a {@link CertificateException} so that the JDK's TLS
 * stack turns it into a fatal handshake alert; the {@link Refusal} says why.
 */
public final class RefusedPeerException extends CertificateException {

  private static final long serialVersionUID = 1L;

  private final transient Refusal refusal;

  public RefusedPeerException(Refusal refusal) {
    super("peer refused: " + refusal);
    this.refusal = refusal;
  }

  public Refusal refusal() {
    return refusal;
  }
}
