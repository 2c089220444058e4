package io.tandem.crdt;

import java.nio.charset.StandardCharsets;

/**
 * The scalars {@link Values} supports, packed into a byte array and compared or rebuilt in
 * place: how a {@link FlatTable} keeps its elements without an object each.
 */
final class PackedScalars {

  /*
   * A tag byte, then the scalar: a String of ASCII characters as a varint length and a byte per
   * char; any other String as a varint length and two bytes per char, a lossless copy of its
   * UTF-16 code units (Values refuses lone surrogates, but a copy needs no such care); numbers as
   * their fixed-width big-endian bits, a Double's as doubleToLongBits, so equal packed bytes are
   * exactly equal scalars under equals(). Booleans are their tag alone. One packing per value, so
   * two packed elements are equal iff their bytes are.
   */

  private static final byte FALSE = 1;
  private static final byte TRUE = 2;
  private static final byte INT = 3;
  private static final byte LONG = 4;
  private static final byte DOUBLE = 5;
  private static final byte ASCII = 6;
  private static final byte UTF16 = 7;

  private PackedScalars() {}

  /** The number of bytes {@link #write} takes for {@code v}. */
  static int size(Object v) {
    if (v instanceof String s) {
      int n = s.length();
      return 1 + varintSize(n) + (isAscii(s) ? n : 2 * n);
    }
    return v instanceof Boolean ? 1 : v instanceof Integer ? 5 : 9;
  }

  /**
   * At least {@link #size} of {@code v}, found without reading a string's characters: room to
   * reserve before {@link #write}, so that a string is read once, as it is written.
   */
  static int sizeBound(Object v) {
    if (v instanceof String s && s.length() < 1 << 28) {
      return 1 + 5 + 2 * s.length();
    }
    return size(v);
  }

  /** Packs {@code v} at {@code at}, which has room; returns the position after it. */
  static int write(Object v, byte[] out, int at) {
    if (v instanceof String s) {
      // Written as ASCII, nearly every element is, until a character says otherwise.
      int n = s.length();
      int from = varint(n, out, at + 1);
      for (int k = 0; k < n; k++) {
        char c = s.charAt(k);
        if (c >= 0x80) {
          return writeUtf16(s, out, at);
        }
        out[from + k] = (byte) c;
      }
      out[at] = ASCII;
      return from + n;
    }
    if (v instanceof Boolean b) {
      out[at] = b ? TRUE : FALSE;
      return at + 1;
    }
    if (v instanceof Integer x) {
      return putBits(out, at, INT, x, 4);
    }
    if (v instanceof Long x) {
      return putBits(out, at, LONG, x, 8);
    }
    return putBits(out, at, DOUBLE, Double.doubleToLongBits((Double) v), 8);
  }

  private static int writeUtf16(String s, byte[] out, int at) {
    out[at] = UTF16;
    int n = s.length();
    int from = varint(n, out, at + 1);
    for (int k = 0; k < n; k++) {
      char c = s.charAt(k);
      out[from + 2 * k] = (byte) (c >>> 8);
      out[from + 2 * k + 1] = (byte) c;
    }
    return from + 2 * n;
  }

  /** Writes {@code x} as a varint at {@code at}; returns the position after it. */
  private static int varint(int x, byte[] out, int at) {
    for (; x >= 0x80; x >>>= 7) {
      out[at++] = (byte) (x & 0x7f | 0x80);
    }
    out[at] = (byte) x;
    return at + 1;
  }

  /** The number of bytes of the scalar packed at {@code at}. */
  static int length(byte[] in, int at) {
    switch (in[at]) {
      case FALSE:
      case TRUE:
        return 1;
      case INT:
        return 5;
      case LONG:
      case DOUBLE:
        return 9;
      default: {
        int n = varint(in, at + 1);
        return 1 + varintSize(n) + (in[at] == ASCII ? n : 2 * n);
      }
    }
  }

  /** The scalar packed at {@code at}, rebuilt. */
  static Object read(byte[] in, int at) {
    switch (in[at]) {
      case FALSE:
        return Boolean.FALSE;
      case TRUE:
        return Boolean.TRUE;
      case INT:
        return (int) bits(in, at + 1, 4);
      case LONG:
        return bits(in, at + 1, 8);
      case DOUBLE:
        return Double.longBitsToDouble(bits(in, at + 1, 8));
      case ASCII: {
        int n = varint(in, at + 1);
        return new String(in, at + 1 + varintSize(n), n, StandardCharsets.ISO_8859_1);
      }
      default: {
        int n = varint(in, at + 1);
        int from = at + 1 + varintSize(n);
        char[] c = new char[n];
        for (int k = 0; k < n; k++) {
          c[k] = utf16(in, from, k);
        }
        return new String(c);
      }
    }
  }

  /** Whether the scalar packed at {@code at} equals {@code v}, without rebuilding it. */
  static boolean holds(byte[] in, int at, Object v) {
    byte tag = in[at];
    if (v instanceof String s) {
      if (tag != ASCII && tag != UTF16) {
        return false;
      }
      int n = varint(in, at + 1);
      if (n != s.length()) {
        return false;
      }
      int from = at + 1 + varintSize(n);
      for (int k = 0; k < n; k++) {
        if (s.charAt(k) != (tag == ASCII ? (char) in[from + k] : utf16(in, from, k))) {
          return false;
        }
      }
      return true;
    }
    if (v instanceof Boolean b) {
      return tag == (b ? TRUE : FALSE);
    }
    if (v instanceof Integer x) {
      return tag == INT && (int) bits(in, at + 1, 4) == x;
    }
    if (v instanceof Long x) {
      return tag == LONG && bits(in, at + 1, 8) == x;
    }
    return tag == DOUBLE && bits(in, at + 1, 8) == Double.doubleToLongBits((Double) v);
  }

  private static boolean isAscii(String s) {
    for (int k = 0; k < s.length(); k++) {
      if (s.charAt(k) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  private static char utf16(byte[] in, int from, int k) {
    return (char) ((in[from + 2 * k] & 0xff) << 8 | in[from + 2 * k + 1] & 0xff);
  }

  private static int putBits(byte[] out, int at, byte tag, long v, int width) {
    out[at++] = tag;
    for (int k = width - 1; k >= 0; k--) {
      out[at++] = (byte) (v >>> (8 * k));
    }
    return at;
  }

  private static long bits(byte[] in, int at, int width) {
    long v = 0;
    for (int k = 0; k < width; k++) {
      v = v << 8 | in[at + k] & 0xff;
    }
    return width == 4 ? (int) v : v;
  }

  private static int varint(byte[] in, int at) {
    int v = 0;
    for (int shift = 0; ; shift += 7) {
      byte b = in[at++];
      v |= (b & 0x7f) << shift;
      if (b >= 0) {
        return v;
      }
    }
  }

  private static int varintSize(int v) {
    int n = 1;
    while ((v >>>= 7) != 0) {
      n++;
    }
    return n;
  }
}
