package io.tandem.transport.vertx;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.TrustOptions;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;

/**
 * The TLS settings of a device's connections: TLS 1.3 only, mutual authentication required, this
 * device's key presented on both sides, and peers trusted exactly when their key is pinned.
 *
 * <p>Host name verification is switched off on purpose ({@code ""}): devices move between
 * networks and addresses, their certificates name no host, and trust is the pinned key set,
 * never a certificate authority or a host name. A certificate that is valid for another host,
 * signed by any CA, or copies a paired device's subject over another key is refused all the same.
 *
 * <p>Use: {@code vertx.createNetServer(tls.applyTo(new NetServerOptions().setPort(p)))}, and in
 * the connect handler call {@link #authenticate(NetSocket)} before reading any byte: it checks
 * the peer again against the live set, which also covers a TLS session resumed from before a
 * revoke (a resumed handshake does not call the trust manager). Route the server's and the
 * client's handshake failures to {@link #handshakeFailed(Throwable)} so each refusal is logged
 * and counted with its reason.
 */
public final class TlsSetup {

  /** The only protocol enabled. */
  public static final String TLS_1_3 = "TLSv1.3";

  private final DeviceIdentity identity;
  private final TrustedDevices trusted;
  private final Consumer<Refusal> refusals;
  private final PinnedTrustManager trustManager;

  /**
   * @param refusals told of every refusal after it is logged; for metrics (called on event-loop
   *     threads, so it must not block)
   */
  public TlsSetup(DeviceIdentity identity, TrustedDevices trusted, Consumer<Refusal> refusals) {
    this.identity = Objects.requireNonNull(identity, "identity");
    this.trusted = Objects.requireNonNull(trusted, "trusted");
    this.refusals = Objects.requireNonNull(refusals, "refusals");
    this.trustManager = new PinnedTrustManager(trusted, refusals);
  }

  public DeviceIdentity identity() {
    return identity;
  }

  public TrustedDevices trusted() {
    return trusted;
  }

  /** Sets TLS on server options: TLS 1.3, client certificate required, pinned trust. */
  public NetServerOptions applyTo(NetServerOptions options) {
    return configure(options, identity, trustManager);
  }

  /** Sets TLS on client options: TLS 1.3, this device's certificate, pinned trust, no host name. */
  public NetClientOptions applyTo(NetClientOptions options) {
    return configure(options, identity, trustManager);
  }

  /**
   * Checks an open connection's peer against the live pinned set: call it first in a connect
   * handler, before reading. Closes nothing itself.
   *
   * @return the peer's fingerprint
   * @throws RefusedPeerException with the reason, already logged and reported
   */
  public Fingerprint authenticate(NetSocket socket) throws RefusedPeerException {
    return trustManager.check(peerChain(socket, refusals));
  }

  /**
   * Logs and reports a failed handshake with its reason, once: a refusal by the pinned trust
   * manager was reported when it happened and is returned as it was.
   */
  public Refusal handshakeFailed(Throwable failure) {
    return handshakeFailed(failure, refusals);
  }

  static NetServerOptions configure(NetServerOptions options, DeviceIdentity identity,
      TrustManager trust) {
    options.setSsl(true)
        .setEnabledSecureTransportProtocols(Set.of(TLS_1_3))
        .setClientAuth(ClientAuth.REQUIRED)
        .setKeyCertOptions(KeyCertOptions.wrap(ManagerFactories.of(identity.keyManager())))
        .setTrustOptions(TrustOptions.wrap(ManagerFactories.of(trust)));
    return options;
  }

  static NetClientOptions configure(NetClientOptions options, DeviceIdentity identity,
      TrustManager trust) {
    options.setSsl(true)
        .setEnabledSecureTransportProtocols(Set.of(TLS_1_3))
        .setHostnameVerificationAlgorithm("") // trust is the pinned key, never a host name
        .setKeyCertOptions(KeyCertOptions.wrap(ManagerFactories.of(identity.keyManager())))
        .setTrustOptions(TrustOptions.wrap(ManagerFactories.of(trust)));
    return options;
  }

  /** The peer's chain of an established TLS 1.3 connection, or a reported refusal. */
  static X509Certificate[] peerChain(NetSocket socket, Consumer<Refusal> refusals)
      throws RefusedPeerException {
    SSLSession session = socket.sslSession();
    if (session == null || !TLS_1_3.equals(session.getProtocol())) {
      throw refuse(refusals, Refusal.Reason.HANDSHAKE_FAILED, "the connection is not TLS 1.3");
    }
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      throw refuse(refusals, Refusal.Reason.NO_CERTIFICATE, "the peer presented no certificate");
    }
    if (chain == null || chain.length == 0) {
      throw refuse(refusals, Refusal.Reason.NO_CERTIFICATE, "the peer presented no certificate");
    }
    X509Certificate[] x509 = new X509Certificate[chain.length];
    for (int i = 0; i < chain.length; i++) {
      if (!(chain[i] instanceof X509Certificate)) {
        throw refuse(refusals, Refusal.Reason.BAD_CERTIFICATE, "a certificate is not X.509");
      }
      x509[i] = (X509Certificate) chain[i];
    }
    return x509;
  }

  static Refusal handshakeFailed(Throwable failure, Consumer<Refusal> refusals) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof RefusedPeerException) {
        return ((RefusedPeerException) cause).refusal();
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    String message = String.valueOf(failure.getMessage());
    if (message.length() > 160) { // a garbage record is echoed in hex: keep the log line short
      message = message.substring(0, 160) + "...";
    }
    Refusal.Reason reason = message.contains("Empty client certificate chain")
        || message.contains("Empty server certificate chain")
        ? Refusal.Reason.NO_CERTIFICATE : Refusal.Reason.HANDSHAKE_FAILED;
    return RefusalLog.report(refusals, new Refusal(reason, null,
        failure.getClass().getSimpleName() + ": " + message));
  }

  private static RefusedPeerException refuse(Consumer<Refusal> refusals, Refusal.Reason reason,
      String detail) {
    return new RefusedPeerException(RefusalLog.report(refusals, new Refusal(reason, null, detail)));
  }
}
