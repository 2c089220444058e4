package io.tandem.crdt.codec;

import io.tandem.crdt.codec.CodecException.Reason;
import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The JDK's raw DEFLATE (RFC 1951, no zlib header or checksum: the value's own checks catch
 * damage), used for the columnar form of large values. Unpacking trusts no length it reads: the
 * unpacked size is announced up front, bounded by the limits and by what the packed bytes left
 * could possibly hold, and the stream must end exactly there and at the end of the input.
 */
final class Deflate {

  /** DEFLATE cannot unpack more than this many bytes from one: a larger claim is a lie. */
  static final long MAX_RATIO = 1032;

  /*
   * zlib's set-up (hundreds of KB of tables) costs more than packing a small value, so each
   * thread keeps one deflater and one inflater and resets them between values.
   */
  private static final ThreadLocal<Deflater> DEFLATER =
      ThreadLocal.withInitial(() -> new Deflater(Deflater.BEST_COMPRESSION, true));
  private static final ThreadLocal<Inflater> INFLATER =
      ThreadLocal.withInitial(() -> new Inflater(true));

  private Deflate() {}

  static byte[] pack(byte[] raw) {
    Deflater d = DEFLATER.get();
    d.reset();
    try {
      d.setInput(raw);
      d.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 4 + 16);
      byte[] chunk = new byte[8192];
      while (!d.finished()) {
        int n = d.deflate(chunk);
        out.write(chunk, 0, n);
      }
      return out.toByteArray();
    } finally {
      d.reset();
    }
  }

  /**
   * Reads an unpacked length, then DEFLATE data that fills the rest of {@code in} and unpacks to
   * exactly that length, and gives a reader of the unpacked bytes sharing {@code in}'s budget.
   */
  static ByteReader unpack(ByteReader in) throws CodecException {
    int at = in.offset();
    long n = in.varint("unpacked length");
    int max = in.limits().maxBytes();
    if (n < 0 || n > max) {
      throw ByteReader.error(Reason.LIMIT_EXCEEDED, "unpacked length "
          + Long.toUnsignedString(n) + " exceeds the limit of " + max, at);
    }
    if (n > in.remaining() * MAX_RATIO) {
      throw ByteReader.error(Reason.TRUNCATED, n + " unpacked bytes cannot come from the "
          + in.remaining() + " bytes that remain", at);
    }
    int packedAt = in.offset();
    byte[] packed = in.bytes(in.remaining(), "packed value");
    byte[] out = new byte[(int) n];
    Inflater inflater = INFLATER.get();
    inflater.reset();
    try {
      inflater.setInput(packed);
      int got = 0;
      while (got < n) {
        int k = inflater.inflate(out, got, (int) n - got);
        got += k;
        if (k == 0) {
          if (inflater.needsInput()) {
            throw ByteReader.error(Reason.TRUNCATED, "packed value ends after unpacking " + got
                + " of " + n + " bytes", packedAt);
          }
          throw ByteReader.error(Reason.MALFORMED, "packed value unpacks to " + got
              + " bytes, not " + n, packedAt);
        }
      }
      if (!inflater.finished() && inflater.inflate(new byte[1]) > 0) {
        throw ByteReader.error(Reason.MALFORMED, "packed value unpacks to more than " + n
            + " bytes", packedAt);
      }
      if (!inflater.finished()) {
        throw ByteReader.error(inflater.needsInput() ? Reason.TRUNCATED : Reason.MALFORMED,
            "packed value does not end", packedAt);
      }
      if (inflater.getRemaining() > 0) {
        throw ByteReader.error(Reason.MALFORMED, inflater.getRemaining()
            + " bytes after the packed value", packedAt + packed.length
            - inflater.getRemaining());
      }
    } catch (DataFormatException e) {
      throw ByteReader.error(Reason.MALFORMED, "packed value is not DEFLATE data: "
          + e.getMessage(), packedAt);
    } finally {
      inflater.reset();
    }
    return new ByteReader(out, 0, out.length, in.budget());
  }
}
