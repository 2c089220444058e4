package io.tandem.transport.vertx;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a peer, as client or as server, exactly when the key of its leaf certificate is pinned
 * in {@link TrustedDevices} and not revoked. Certificate authorities, chains, validity dates,
 * subjects and host names play no part: trust is the pinned key set. The TLS handshake itself
 * proves that the peer holds the private key of the leaf it presents (CertificateVerify), so
 * checking the leaf's key is checking the peer.
 *
 * <p>Being an {@link X509ExtendedTrustManager}, the JDK calls it as it is, instead of wrapping
 * it in its own adapter that would add host name and algorithm checks. The set is read at each
 * handshake, so a revoke applies to the next handshake without a restart.
 */
public final class PinnedTrustManager extends X509ExtendedTrustManager {

  private static final X509Certificate[] NO_ISSUERS = new X509Certificate[0];

  private final TrustedDevices trusted;
  private final Consumer<Refusal> refusals;

  public PinnedTrustManager(TrustedDevices trusted, Consumer<Refusal> refusals) {
    this.trusted = Objects.requireNonNull(trusted, "trusted");
    this.refusals = Objects.requireNonNull(refusals, "refusals");
  }

  /**
   * Checks a peer's presented chain against the pinned set.
   *
   * @return the peer's fingerprint
   * @throws RefusedPeerException with the reason, already logged and reported
   */
  public Fingerprint check(X509Certificate[] chain) throws RefusedPeerException {
    if (chain == null || chain.length == 0 || chain[0] == null) {
      throw refuse(new Refusal(Refusal.Reason.NO_CERTIFICATE, null, "no certificate presented"));
    }
    Fingerprint peer;
    try {
      peer = Fingerprint.of(chain[0]);
    } catch (RuntimeException e) {
      throw refuse(new Refusal(Refusal.Reason.BAD_CERTIFICATE, null,
          "the certificate's key does not encode: " + e));
    }
    Optional<Refusal.Reason> refusal = trusted.refusalFor(peer);
    if (refusal.isPresent()) {
      String detail = refusal.get() == Refusal.Reason.REVOKED
          ? "the key was revoked" : "the key was never paired";
      throw refuse(new Refusal(refusal.get(), peer,
          detail + " (certificate subject '" + chain[0].getSubjectX500Principal() + "')"));
    }
    return peer;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain);
  }

  /** None: the peer need not pick a certificate by issuer, we look at its key only. */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return NO_ISSUERS;
  }

  private RefusedPeerException refuse(Refusal refusal) {
    return new RefusedPeerException(RefusalLog.report(refusals, refusal));
  }
}
