package io.tandem.demo.notes;

import io.vertx.core.json.JsonObject;

/**
 * What the page shows and does to pair devices: this device's key fingerprint, the devices it
 * trusts, pairing with the short code ({@link CodePairing}), and trusting one more by its
 * fingerprint (read off that device's page). A connection comes up once both devices trust each
 * other.
 */
interface Pairing {

  /**
   * {@code {"name", "fingerprint", "paired": [{"name", "fingerprint", "pairedAt"}],
   * "offer": {"state", "port"?, "code"?}, "join": {"state"}}}
   */
  JsonObject describe();

  /**
   * Trusts the device with {@code fingerprint}.
   *
   * @throws ApiException 400 for a malformed fingerprint or name, 409 for a revoked key
   */
  void pair(String fingerprint, String name);

  /** The short-code pairing of this device. */
  CodePairing code();
}
