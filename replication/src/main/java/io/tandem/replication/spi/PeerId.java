package io.tandem.replication.spi;

import java.util.Objects;

/**
 * A peer as the transport knows it: one connection, not a device. The replica learns which
 * replica sits behind it from the peer's hello.
 *
 * <p>An ordered transport gives every new connection an id of its own, even to the same device:
 * a frame a replica sends on a connection that ended must fail, never slip into the next
 * connection ahead of that session's hello (the replica may still hold the old session for a
 * moment after the new one came up). An unordered transport may reuse ids; stale frames are then
 * just one more reordering, which sessions tolerate.
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
