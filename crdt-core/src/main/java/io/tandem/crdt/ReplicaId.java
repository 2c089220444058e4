package io.tandem.crdt;

import java.security.SecureRandom;
import java.util.Locale;

/**
 * The identity of one replica: a random, non-zero 64-bit number, written as 16 hex digits.
 *
 * <p>A replica id is never reused: a device that lost its store starts under a new id. Sixty-four
 * random bits make an accidental collision among one person's devices vanishingly unlikely while
 * keeping every dot and vector entry at eight bytes on the wire. Ids order as unsigned numbers, so
 * that the order agrees with the hex form.
 */
public record ReplicaId(long value) implements Comparable<ReplicaId> {

  private static final SecureRandom RANDOM = new SecureRandom();

  public ReplicaId {
    if (value == 0) {
      throw new IllegalArgumentException("replica id 0 is reserved");
    }
  }

  public static ReplicaId of(long value) {
    return new ReplicaId(value);
  }

  /** A fresh id from a cryptographically strong source. */
  public static ReplicaId random() {
    long v;
    do {
      v = RANDOM.nextLong();
    } while (v == 0);
    return new ReplicaId(v);
  }

  /**
   * Parses the 16-hex-digit form written by {@link #toString()}.
   *
   * @throws IllegalArgumentException if the text is not 1 to 16 hex digits or is zero
   */
  public static ReplicaId parse(String hex) {
    if (hex == null || hex.isEmpty() || hex.length() > 16) {
      throw new IllegalArgumentException("not a replica id: " + hex);
    }
    try {
      return new ReplicaId(Long.parseUnsignedLong(hex, 16));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a replica id: " + hex, e);
    }
  }

  @Override
  public int compareTo(ReplicaId o) {
    return Long.compareUnsigned(value, o.value);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%016x", value);
  }
}
