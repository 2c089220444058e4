package io.tandem.transport.vertx;

import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

/**
 * How a {@link VertxTransport} secures its connections and learns who is at the other end.
 * Between devices this is TLS 1.3 with mutual authentication against the pinned keys of paired
 * devices; {@link #plainTcpForLoopbackTests} exists for tests on one machine only and is never a
 * default.
 */
public interface ChannelSecurity {

  /** The name this device announces on the LAN: its key fingerprint under TLS. */
  String localDevice();

  /** Adds what the server side needs (TLS, client authentication) to {@code options}. */
  NetServerOptions configure(NetServerOptions options);

  /** Adds what the client side needs to {@code options}. */
  NetClientOptions configure(NetClientOptions options);

  /**
   * Called once a connection is up (after any handshake) and before a byte of it is read.
   *
   * @return the device at the other end, as metrics and logs name it
   * @throws UnauthenticatedException if the peer is not one this device trusts
   */
  String authenticate(NetSocket socket) throws UnauthenticatedException;

  /**
   * TLS 1.3 with mutual authentication against the pinned keys of {@code tls}'s trusted
   * devices: what devices use between them.
   */
  static ChannelSecurity tls(TlsSetup tls) {
    return new TlsChannelSecurity(tls);
  }

  /**
   * No encryption and no authentication: anyone who reaches the port is a peer. For loopback
   * tests and benchmarks only; a transport built with it logs a warning.
   */
  static ChannelSecurity plainTcpForLoopbackTests(String deviceName) {
    return new PlainTcp(deviceName);
  }

  /**
   * Why a handshake failed before a connection reached the transport (the peer closed, sent no
   * TLS, presented an unpaired key...), already logged by the security if it logs.
   */
  default RefusalReason handshakeFailed(Throwable failure) {
    return RefusalReason.HANDSHAKE_FAILED;
  }

  /** A refusal by the channel security; the detail is logged and counted. */
  final class UnauthenticatedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final RefusalReason reason;

    public UnauthenticatedException(RefusalReason reason, String message) {
      super(message);
      this.reason = java.util.Objects.requireNonNull(reason, "reason");
    }

    public RefusalReason reason() {
      return reason;
    }
  }
}
