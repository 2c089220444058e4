package io.tandem.crdt.codec;

import io.tandem.crdt.codec.CodecException.Reason;
import java.util.Arrays;

/**
 * Front coding of the scalars in a column of format v2's columnar form: how many leading bytes
 * repeat the previous scalar's, then the rest. Sorted keys and counting values share most of
 * their bytes with the one before. The shared part must be the longest there is, so that each
 * value has one encoding.
 */
final class FrontCoding {

  private FrontCoding() {}

  /** Writes {@code scalar} coded against {@code previous}. */
  static void write(ByteWriter w, byte[] previous, byte[] scalar) {
    int shared = 0;
    int max = Math.min(previous.length, scalar.length);
    while (shared < max && previous[shared] == scalar[shared]) {
      shared++;
    }
    w.varint(shared);
    w.varint(scalar.length - shared);
    for (int i = shared; i < scalar.length; i++) {
      w.u8(scalar[i]);
    }
  }

  /** Reads the bytes of a scalar coded against {@code previous}. */
  static byte[] read(ByteReader r, byte[] previous, String what) throws CodecException {
    int at = r.offset();
    long shared = r.varint(what + " shared length");
    if (shared < 0 || shared > previous.length) {
      throw ByteReader.error(Reason.MALFORMED, what + " shares " + Long.toUnsignedString(shared)
          + " bytes with a previous one of " + previous.length, at);
    }
    long rest = r.varint(what + " length");
    if (rest < 0 || rest > r.remaining()) {
      throw ByteReader.error(Reason.TRUNCATED, what + " of " + Long.toUnsignedString(rest)
          + " more bytes, " + r.remaining() + " remain", at);
    }
    byte[] tail = r.bytes((int) rest, what);
    if (shared < previous.length && rest > 0 && previous[(int) shared] == tail[0]) {
      throw ByteReader.error(Reason.MALFORMED, what + " shares more than its "
          + shared + " leading bytes with the previous one", at);
    }
    byte[] b = Arrays.copyOf(previous, (int) shared + tail.length);
    System.arraycopy(tail, 0, b, (int) shared, tail.length);
    return b;
  }

  /** The scalar that {@code b} holds, all of it, counted against {@code budget}. */
  static Object scalar(byte[] b, Budget budget, String what) throws CodecException {
    ByteReader r = new ByteReader(b, 0, b.length, budget);
    Object v = Scalars.read(r, what, true);
    if (!r.atEnd()) {
      throw r.error(Reason.MALFORMED, r.remaining() + " bytes after " + what);
    }
    return v;
  }
}
