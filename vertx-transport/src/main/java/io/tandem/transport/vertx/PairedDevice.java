package io.tandem.transport.vertx;

import java.time.Instant;
import java.util.Objects;

/**
 * A device whose key this device pinned by pairing: its fingerprint, the name it gave, and when
 * the two were paired. The name is for humans only; trust follows the fingerprint.
 */
public record PairedDevice(Fingerprint fingerprint, String name, Instant pairedAt) {

  /** The longest device name kept, in characters. */
  public static final int MAX_NAME_LENGTH = 64;

  public PairedDevice {
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(pairedAt, "pairedAt");
    if (name.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("a device name has at most 64 characters");
    }
  }
}
