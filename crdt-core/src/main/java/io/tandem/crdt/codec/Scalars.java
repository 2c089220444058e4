package io.tandem.crdt.codec;

import io.tandem.crdt.codec.CodecException.Reason;
import java.nio.charset.StandardCharsets;

/**
 * The binary form of the scalars that registers hold and sets and maps use as elements and keys.
 * Each is a tag byte and a body; the encoded bytes double as the canonical sort key of set
 * elements and map keys, which every replica computes alike.
 */
final class Scalars {

  static final int STRING = 1;
  static final int TRUE = 2;
  static final int FALSE = 3;
  static final int INT = 4;
  static final int LONG = 5;
  static final int DOUBLE = 6;
  /** Format v2: a string of 0..127 UTF-8 bytes is one byte, this plus its length, then them. */
  static final int SHORT_STRING = 0x80;

  private Scalars() {}

  static void write(ByteWriter w, Object v) {
    write(w, v, false);
  }

  /** Writes {@code v}; in format v2 ({@code v2}) a short string has its length in its tag. */
  static void write(ByteWriter w, Object v, boolean v2) {
    if (v instanceof String s) {
      byte[] b = utf8(s);
      if (v2 && b.length < 0x80) {
        w.u8(SHORT_STRING | b.length);
      } else {
        w.u8(STRING);
        w.varint(b.length);
      }
      w.bytes(b);
    } else if (v instanceof Boolean b) {
      w.u8(b ? TRUE : FALSE);
    } else if (v instanceof Integer i) {
      w.u8(INT);
      w.signedVarint(i);
    } else if (v instanceof Long l) {
      w.u8(LONG);
      w.signedVarint(l);
    } else if (v instanceof Double d) {
      w.u8(DOUBLE);
      // doubleToLongBits, not the raw bits: Double.equals holds every NaN equal, so equal values
      // must encode alike. Every other double, -0.0 included, keeps its exact bits.
      w.u64(Double.doubleToLongBits(d));
    } else {
      throw new IllegalArgumentException("not a scalar: " + v);
    }
  }

  /** The encoding of {@code v} alone: the key that orders elements and map keys. */
  static byte[] bytes(Object v) {
    return bytes(v, false);
  }

  static byte[] bytes(Object v, boolean v2) {
    ByteWriter w = new ByteWriter();
    write(w, v, v2);
    return w.toByteArray();
  }

  static Object read(ByteReader in, String what) throws CodecException {
    return read(in, what, false);
  }

  static Object read(ByteReader in, String what, boolean v2) throws CodecException {
    int at = in.offset();
    int tag = in.u8(what);
    if (v2 && tag >= SHORT_STRING) {
      return in.utf8(what, tag - SHORT_STRING);
    }
    switch (tag) {
      case STRING: {
        long n = in.varint(what + " length");
        if (v2 && n >= 0 && n < 0x80) {
          // v2 writes such a string in the short form; each value has one encoding.
          throw ByteReader.error(Reason.MALFORMED, what + ": short string in the long form", at);
        }
        return in.utf8(what, n);
      }
      case TRUE:
        return Boolean.TRUE;
      case FALSE:
        return Boolean.FALSE;
      case INT: {
        long v = in.signedVarint(what);
        if (v != (int) v) {
          throw ByteReader.error(Reason.MALFORMED, what + ": int " + v + " exceeds 32 bits", at);
        }
        return (int) v;
      }
      case LONG:
        return in.signedVarint(what);
      case DOUBLE:
        return Double.longBitsToDouble(in.u64(what));
      default:
        throw ByteReader.error(Reason.UNKNOWN_TYPE, what + ": unknown scalar tag " + tag, at);
    }
  }

  /**
   * The UTF-8 bytes of {@code s}.
   *
   * @throws IllegalArgumentException if {@code s} holds an unpaired surrogate, which UTF-8 cannot
   *     carry: {@code getBytes} would silently write '?' instead
   */
  static byte[] utf8(String s) {
    if (!isWellFormed(s)) {
      throw new IllegalArgumentException("string with an unpaired surrogate cannot be encoded");
    }
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Whether every surrogate in {@code s} is part of a pair. */
  static boolean isWellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** The length of {@code s} in UTF-8, for well-formed strings. */
  static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
