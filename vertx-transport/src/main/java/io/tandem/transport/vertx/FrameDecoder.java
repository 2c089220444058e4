package io.tandem.transport.vertx;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.parsetools.RecordParser;

/**
 * Splits one connection's byte stream into frames: an 8-byte preamble, then frames of a 4-byte
 * big-endian length and that many bytes. A length of zero is a heartbeat.
 *
 * <p>The length is checked against the maximum before the parser is switched to the body's
 * size, so a lying length is refused before any memory is taken for it; a body arrives in the
 * parser's buffer only as fast as its bytes do. After a refusal the decoder ignores everything.
 * Not thread-safe: one connection's context drives it.
 */
final class FrameDecoder {

  /** "TNDM", wire version 1, three zero bytes kept for later flags. */
  static final byte[] PREAMBLE = {'T', 'N', 'D', 'M', 1, 0, 0, 0};
  static final int LENGTH_BYTES = 4;

  /** What the decoder finds; called on the decoder's thread, one call at a time. */
  interface Sink {
    void preamble();

    void heartbeat();

    void frame(Buffer body);

    void refuse(RefusalReason reason, String detail);
  }

  private final int maxFrameBytes;
  private final Sink sink;
  private final RecordParser parser;
  private boolean helloDone;
  /** Length of the body being read, or -1 while a length prefix is expected. */
  private int bodyLength = -1;
  private boolean dead;

  FrameDecoder(int maxFrameBytes, Sink sink) {
    if (maxFrameBytes < 1) {
      throw new IllegalArgumentException("maxFrameBytes must be positive: " + maxFrameBytes);
    }
    this.maxFrameBytes = maxFrameBytes;
    this.sink = sink;
    this.parser = RecordParser.newFixed(PREAMBLE.length);
    parser.handler(this::record);
  }

  /** Feeds bytes as they arrive from the socket. */
  void feed(Buffer bytes) {
    if (!dead) {
      parser.handle(bytes);
    }
  }

  /** Whether a body has started and not yet completed. */
  boolean inBody() {
    return bodyLength > 0;
  }

  boolean helloDone() {
    return helloDone;
  }

  private void record(Buffer record) {
    if (dead) {
      return;
    }
    if (!helloDone) {
      checkPreamble(record);
    } else if (bodyLength < 0) {
      onLength(record.getInt(0));
    } else {
      bodyLength = -1;
      parser.fixedSizeMode(LENGTH_BYTES);
      sink.frame(record);
    }
  }

  private void checkPreamble(Buffer record) {
    byte[] got = record.getBytes();
    for (int i = 0; i < 4; i++) {
      if (got[i] != PREAMBLE[i]) {
        refuse(RefusalReason.BAD_PREAMBLE, "not a Tandem connection: first bytes " + hex(got));
        return;
      }
    }
    if (got[4] != PREAMBLE[4] || got[5] != 0 || got[6] != 0 || got[7] != 0) {
      refuse(RefusalReason.BAD_PREAMBLE, "unsupported wire version or flags " + hex(got));
      return;
    }
    helloDone = true;
    parser.fixedSizeMode(LENGTH_BYTES);
    sink.preamble();
  }

  private void onLength(int length) {
    // Unsigned: a negative int is a length above 2 GiB.
    if (length < 0 || length > maxFrameBytes) {
      refuse(RefusalReason.FRAME_TOO_LARGE, "frame length " + Integer.toUnsignedString(length)
          + " above the maximum " + maxFrameBytes);
    } else if (length == 0) {
      sink.heartbeat();
    } else {
      bodyLength = length;
      parser.fixedSizeMode(length);
    }
  }

  private void refuse(RefusalReason reason, String detail) {
    dead = true;
    sink.refuse(reason, detail);
  }

  private static String hex(byte[] bytes) {
    return java.util.HexFormat.of().formatHex(bytes);
  }
}
