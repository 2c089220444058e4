package io.tandem.crdt.codec;

import io.tandem.crdt.codec.CodecException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the primitives of the binary format from a slice of an array, checking every length
 * against what remains and against the limits before trusting it. Offsets in messages count from
 * the start of the slice.
 */
final class ByteReader {

  private final byte[] buf;
  private final int start;
  private final int end;
  private int pos;
  private final Budget budget;

  ByteReader(byte[] buf, int offset, int length, CodecLimits limits) {
    this(buf, offset, length, new Budget(limits));
  }

  /** A reader that counts entries against {@code budget}, shared with the other columns. */
  ByteReader(byte[] buf, int offset, int length, Budget budget) {
    this.buf = buf;
    this.start = offset;
    this.end = offset + length;
    this.pos = offset;
    this.budget = budget;
  }

  Budget budget() {
    return budget;
  }

  /** A reader of the next {@code n} bytes, which this one skips; the caller checked n. */
  ByteReader split(int n) {
    ByteReader r = new ByteReader(buf, pos, n, budget);
    pos += n;
    return r;
  }

  /** A copy of the bytes between two earlier offsets. */
  byte[] copy(int from, int to) {
    return Arrays.copyOfRange(buf, start + from, start + to);
  }

  /** The next {@code n} bytes, which must remain. */
  byte[] bytes(int n, String what) throws CodecException {
    need(n, what);
    byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
    pos += n;
    return b;
  }

  CodecLimits limits() {
    return budget.limits();
  }

  /** The current position, from the start of the value. */
  int offset() {
    return pos - start;
  }

  boolean atEnd() {
    return pos == end;
  }

  int remaining() {
    return end - pos;
  }

  CodecException error(Reason reason, String what) {
    return error(reason, what, offset());
  }

  static CodecException error(Reason reason, String what, int offset) {
    return new CodecException(reason, what + " at byte " + offset);
  }

  int u8(String what) throws CodecException {
    need(1, what);
    return buf[pos++] & 0xFF;
  }

  long u64(String what) throws CodecException {
    need(8, what);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (buf[pos++] & 0xFF);
    }
    return v;
  }

  /**
   * An unsigned LEB128 number, as a long whose bits are the unsigned value. Only the shortest
   * form is accepted, so that every number has one encoding and equal values equal bytes.
   */
  long varint(String what) throws CodecException {
    int at = offset();
    long v = 0;
    for (int i = 0; i < 10; i++) {
      need(1, what);
      int b = buf[pos++] & 0xFF;
      if (i == 9 && b > 1) {
        throw error(Reason.MALFORMED, what + ": varint overflows 64 bits", at);
      }
      v |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 0) {
          throw error(Reason.MALFORMED, what + ": varint not in its shortest form", at);
        }
        return v;
      }
    }
    throw error(Reason.MALFORMED, what + ": varint longer than 10 bytes", at);
  }

  long signedVarint(String what) throws CodecException {
    long v = varint(what);
    return (v >>> 1) ^ -(v & 1);
  }

  /**
   * A count of items that each take at least {@code minBytesEach} bytes. It is checked against the
   * limits first, then against the bytes left, so nothing is ever allocated from a count alone.
   */
  int count(String what, int minBytesEach) throws CodecException {
    int at = offset();
    return checkCount(varint(what + " count"), what, minBytesEach, at);
  }

  /** As {@link #count}, for a count read elsewhere (at {@code at}) of items read from here. */
  int checkCount(long n, String what, int minBytesEach, int at) throws CodecException {
    budget.take(n, what, "at byte " + at);
    if (n > remaining() / minBytesEach) {
      throw error(Reason.TRUNCATED, n + " " + what + " need at least " + n * minBytesEach
          + " bytes, " + remaining() + " remain", at);
    }
    return (int) n;
  }

  /** A length in bytes of what follows, which must all remain. */
  int length(String what) throws CodecException {
    int at = offset();
    long n = varint(what + " length");
    if (n < 0 || n > remaining()) {
      throw error(Reason.TRUNCATED, what + " of " + Long.toUnsignedString(n) + " bytes, "
          + remaining() + " remain", at);
    }
    return (int) n;
  }

  /** Takes entries from the element budget that no count of their own announced. */
  void take(long n, String what) throws CodecException {
    budget.take(n, what, "at byte " + offset());
  }

  /** An index into a table of {@code size} entries. */
  int index(String what, int size) throws CodecException {
    int at = offset();
    long i = varint(what);
    if (i < 0 || i >= size) {
      throw error(Reason.INVALID, what + " " + Long.toUnsignedString(i)
          + " is not below the table size " + size, at);
    }
    return (int) i;
  }

  /** A string: its UTF-8 byte length, then strictly valid UTF-8. */
  String utf8(String what) throws CodecException {
    return utf8(what, varint(what + " length"));
  }

  /** A string of {@code n} bytes of strictly valid UTF-8, its length read before. */
  String utf8(String what, long n) throws CodecException {
    int at = offset();
    if (n < 0 || n > limits().maxStringBytes()) {
      throw error(Reason.LIMIT_EXCEEDED, what + " of " + Long.toUnsignedString(n)
          + " bytes exceeds the limit of " + limits().maxStringBytes(), at);
    }
    if (n > remaining()) {
      throw error(Reason.TRUNCATED, what + " of " + n + " bytes, " + remaining() + " remain", at);
    }
    try {
      String s = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(buf, pos, (int) n))
          .toString();
      pos += (int) n;
      return s;
    } catch (CharacterCodingException e) {
      throw error(Reason.MALFORMED, what + " is not valid UTF-8", at);
    }
  }

  /** Compares two earlier stretches of the input as unsigned bytes; offsets as {@link #offset}. */
  int compare(int aFrom, int aTo, int bFrom, int bTo) {
    return Arrays.compareUnsigned(buf, start + aFrom, start + aTo, buf, start + bFrom, start + bTo);
  }

  private void need(int n, String what) throws CodecException {
    if (end - pos < n) {
      throw error(Reason.TRUNCATED, "input ends inside " + what);
    }
  }
}
