package io.tandem.transport.vertx;

import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.Objects;

/**
 * Connections secured by {@link TlsSetup}: TLS 1.3, both sides present their device key, and a
 * peer is accepted exactly when its key is pinned and not revoked. The handshake fails for any
 * other peer (unpaired, revoked, no certificate, plain TCP, garbage), so the transport never
 * reads a frame from it, and sends nothing but the TLS handshake.
 */
record TlsChannelSecurity(TlsSetup tls) implements ChannelSecurity {

  TlsChannelSecurity {
    Objects.requireNonNull(tls, "tls");
  }

  @Override
  public String localDevice() {
    return tls.identity().fingerprint().hex();
  }

  @Override
  public NetServerOptions configure(NetServerOptions options) {
    return tls.applyTo(options);
  }

  @Override
  public NetClientOptions configure(NetClientOptions options) {
    return tls.applyTo(options);
  }

  @Override
  public String authenticate(NetSocket socket) throws UnauthenticatedException {
    try {
      return tls.authenticate(socket).hex();
    } catch (RefusedPeerException e) {
      Refusal r = e.refusal();
      throw new UnauthenticatedException(RefusalReason.of(r.reason()), r.toString());
    }
  }

  @Override
  public RefusalReason handshakeFailed(Throwable failure) {
    return RefusalReason.of(tls.handshakeFailed(failure).reason());
  }
}
