package io.tandem.demo.notes;

import io.tandem.transport.vertx.Backoff;
import io.tandem.transport.vertx.ChannelSecurity;
import io.tandem.transport.vertx.DeviceIdentity;
import io.tandem.transport.vertx.Fingerprint;
import io.tandem.transport.vertx.Discovery;
import io.tandem.transport.vertx.IdentityException;
import io.tandem.transport.vertx.PairedDevice;
import io.tandem.transport.vertx.PeerAddress;
import io.tandem.transport.vertx.TlsSetup;
import io.tandem.transport.vertx.TrustedDevices;
import io.tandem.transport.vertx.VertxTransport;
import io.tandem.transport.vertx.VertxTransportOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A device's TCP link to its peers: its key pair and the keys it trusts, kept in its own
 * directory, and a {@link VertxTransport} over TLS 1.3 that accepts only paired devices,
 * behind the device's {@link OfflineSwitch}.
 */
final class TcpLink implements Pairing {

  /** Quick redials, so a device switched back on finds its peers within a couple of seconds. */
  static final Backoff REDIAL = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2));

  private static final System.Logger LOG = System.getLogger(TcpLink.class.getName());

  private final DeviceIdentity identity;
  private final TrustedDevices trusted;
  private VertxTransport transport;
  private CodePairing code;

  private TcpLink(DeviceIdentity identity, TrustedDevices trusted) {
    this.identity = identity;
    this.trusted = trusted;
  }

  /** Loads, or makes, the identity and trusted keys kept in {@code dir}. */
  static TcpLink open(Path dir, String name) throws IdentityException {
    return new TcpLink(DeviceIdentity.loadOrCreate(dir, name), TrustedDevices.open(dir));
  }

  DeviceIdentity identity() {
    return identity;
  }

  /** Trusts {@code other} from now on (both sides must pair for a connection to come up). */
  void pair(TcpLink other) throws IdentityException {
    trusted.pin(new PairedDevice(other.identity.fingerprint(), other.identity.name(),
        Instant.now()));
  }

  /**
   * The transport, listening on {@code host:port} (0 for any free port) and dialing
   * {@code peers}; it starts when the replica starts it.
   */
  OfflineSwitch transport(Vertx vertx, String host, int port, List<PeerAddress> peers) {
    TlsSetup tls = new TlsSetup(identity, trusted, refusal ->
        LOG.log(System.Logger.Level.INFO, "refused a connection: {0}", refusal));
    transport = new VertxTransport(vertx, VertxTransportOptions.defaults()
        .withListen(host, port).withPeers(peers).withBackoff(REDIAL)
        .withDiscovery(Discovery.Options.OFF), ChannelSecurity.tls(tls));
    code = new CodePairing(vertx, identity, trusted, host);
    return new OfflineSwitch(transport, transport::setOffline);
  }

  @Override
  public JsonObject describe() {
    JsonArray paired = new JsonArray();
    for (PairedDevice d : trusted.devices()) {
      paired.add(new JsonObject().put("name", d.name()).put("fingerprint", d.fingerprint().hex())
          .put("pairedAt", d.pairedAt().toString()));
    }
    return code.describe().put("name", identity.name())
        .put("fingerprint", identity.fingerprint().hex()).put("paired", paired);
  }

  @Override
  public CodePairing code() {
    return code;
  }

  @Override
  public void pair(String fingerprint, String name) {
    Fingerprint key;
    PairedDevice device;
    try {
      key = new Fingerprint(fingerprint.strip().toLowerCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("a fingerprint is 64 hex digits, as the other device's page"
          + " shows it");
    }
    try {
      device = new PairedDevice(key, name, Instant.now());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    if (key.equals(identity.fingerprint())) {
      throw ApiException.badRequest("that is this device's own fingerprint");
    }
    try {
      trusted.pin(device);
    } catch (IllegalStateException e) {
      throw new ApiException(409, e.getMessage());
    } catch (IdentityException e) {
      throw new IllegalStateException("cannot keep the pairing: " + e.getMessage(), e);
    }
  }

  /** Where peers reach this device once its transport started. */
  int port() {
    return transport.port();
  }
}
