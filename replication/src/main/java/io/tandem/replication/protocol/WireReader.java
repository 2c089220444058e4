package io.tandem.replication.protocol;

import io.tandem.replication.protocol.ProtocolException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Reads the primitives of a frame, refusing counts the remaining bytes cannot hold. */
final class WireReader {

  private final ByteBuffer in;

  WireReader(ByteBuffer in) {
    this.in = in;
  }

  int remaining() {
    return in.remaining();
  }

  int u8() throws ProtocolException {
    need(1);
    return in.get() & 0xff;
  }

  long u64() throws ProtocolException {
    need(8);
    return in.getLong();
  }

  long varint() throws ProtocolException {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = u8();
      if (shift == 63 && (b & 0x7e) != 0) {
        throw new ProtocolException(Reason.MALFORMED, "varint overflows 64 bits");
      }
      v |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new ProtocolException(Reason.MALFORMED, "varint longer than 10 bytes");
  }

  /** A varint in 1..max. */
  long positive(long max, String what) throws ProtocolException {
    long v = varint();
    if (v < 1 || v > max) {
      throw new ProtocolException(Reason.MALFORMED, what + " out of range: " + Long.toUnsignedString(v));
    }
    return v;
  }

  /**
   * A count of items each taking at least {@code minBytes}: refused before anything is allocated
   * when the frame cannot hold that many, or when it passes {@code limit}.
   */
  int count(int minBytes, int limit, String what) throws ProtocolException {
    long n = varint();
    if (n < 0 || n > limit) {
      throw new ProtocolException(Reason.LIMIT_EXCEEDED, what + " count " + Long.toUnsignedString(n)
          + " above " + limit);
    }
    return checkedCount(n, minBytes, what);
  }

  /** {@code n}, already within its limit, if the frame can hold that many items. */
  int checkedCount(long n, int minBytes, String what) throws ProtocolException {
    if (n * minBytes > in.remaining()) {
      throw new ProtocolException(Reason.TRUNCATED, what + " count " + n + " exceeds the "
          + in.remaining() + " bytes left");
    }
    return (int) n;
  }

  byte[] bytes(int max, String what) throws ProtocolException {
    long n = varint();
    if (n < 0 || n > max) {
      throw new ProtocolException(Reason.LIMIT_EXCEEDED, what + " of " + Long.toUnsignedString(n)
          + " bytes above " + max);
    }
    need((int) n);
    byte[] b = new byte[(int) n];
    in.get(b);
    return b;
  }

  String utf8(int max, String what) throws ProtocolException {
    byte[] b = bytes(max, what);
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      throw new ProtocolException(Reason.MALFORMED, what + " is not UTF-8", e);
    }
  }

  private void need(int n) throws ProtocolException {
    if (in.remaining() < n) {
      throw new ProtocolException(Reason.TRUNCATED, "needs " + n + " bytes, " + in.remaining()
          + " left");
    }
  }
}
