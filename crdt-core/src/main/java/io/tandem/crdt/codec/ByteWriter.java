package io.tandem.crdt.codec;

import java.util.Arrays;

/** A growable byte buffer with the primitives of the binary format. */
final class ByteWriter {

  private byte[] buf = new byte[64];
  private int size;

  void u8(int b) {
    ensure(1);
    buf[size++] = (byte) b;
  }

  /** Eight bytes, big-endian: replica ids and doubles. */
  void u64(long v) {
    ensure(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      buf[size++] = (byte) (v >>> shift);
    }
  }

  /** Unsigned LEB128: seven bits a byte, low bits first, high bit set on all but the last. */
  void varint(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[size++] = (byte) v;
  }

  /** Zigzag, so that small negative numbers stay short: 0, -1, 1, -2 become 0, 1, 2, 3. */
  void signedVarint(long v) {
    varint((v << 1) ^ (v >> 63));
  }

  void bytes(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, size, b.length);
    size += b.length;
  }

  /** Appends what {@code other} holds. */
  void bytes(ByteWriter other) {
    ensure(other.size);
    System.arraycopy(other.buf, 0, buf, size, other.size);
    size += other.size;
  }

  int size() {
    return size;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  private void ensure(int n) {
    if (size + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
    }
  }
}
