package io.tandem.replication.spi;

import java.util.Objects;

/**
 * A peer as the transport knows it: a connection endpoint, not a replica. The replica learns
 * which replica sits behind it from the peer's hello.
 */
public record PeerId(String value) {

  public PeerId {
    Objects.requireNonNull(value, "value");
    if (value.isEmpty()) {
      throw new IllegalArgumentException("empty peer id");
    }
  }

  public static PeerId of(String value) {
    return new PeerId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
