package io.tandem.crdt;

import java.util.Objects;

/**
 * The scalar values that registers hold and that sets and maps use as elements and keys:
 * {@link String}, {@link Boolean}, {@link Integer}, {@link Long} and {@link Double}. They are
 * immutable, compare by value, and have a stable encoding; that is why other types are refused.
 */
public final class Values {

  private Values() {}

  /**
   * Returns {@code value} if it is a supported scalar.
   *
   * @throws IllegalArgumentException for null or any other type
   */
  public static <T> T check(T value) {
    rank(Objects.requireNonNull(value, "value"));
    if (value instanceof String s) {
      checkUnicode(s);
    }
    return value;
  }

  /** Strings travel as UTF-8, which cannot carry a lone surrogate. */
  private static void checkUnicode(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        throw new IllegalArgumentException("unpaired surrogate at " + i);
      }
      if (Character.isLowSurrogate(c)) {
        throw new IllegalArgumentException("unpaired surrogate at " + i);
      }
    }
  }

  /** Whether {@code value} is a supported scalar. */
  public static boolean isSupported(Object value) {
    return value instanceof String || value instanceof Boolean || value instanceof Integer
        || value instanceof Long || value instanceof Double;
  }

  /**
   * A total order over supported scalars, the same on every replica: by type (boolean, int,
   * long, double, string), then by value. Registers break exact timestamp ties with it.
   */
  public static int compare(Object a, Object b) {
    int c = Integer.compare(rank(a), rank(b));
    if (c != 0) {
      return c;
    }
    if (a instanceof String s) {
      return s.compareTo((String) b);
    }
    if (a instanceof Boolean x) {
      return Boolean.compare(x, (Boolean) b);
    }
    if (a instanceof Integer x) {
      return Integer.compare(x, (Integer) b);
    }
    if (a instanceof Long x) {
      return Long.compare(x, (Long) b);
    }
    return Double.compare((Double) a, (Double) b);
  }

  private static int rank(Object v) {
    if (v instanceof String) {
      return 5; // first: nearly every element and key is one, and each add checks its element
    }
    if (v instanceof Boolean) {
      return 1;
    }
    if (v instanceof Integer) {
      return 2;
    }
    if (v instanceof Long) {
      return 3;
    }
    if (v instanceof Double) {
      return 4;
    }
    throw new IllegalArgumentException("unsupported value type "
        + (v == null ? "null" : v.getClass().getName())
        + ": use String, Boolean, Integer, Long or Double, or nest CRDTs for structure");
  }
}
