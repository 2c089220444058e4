package io.tandem.replication.protocol;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** A growable buffer for writing frames. */
final class WireWriter {

  private byte[] buf = new byte[64];
  private int n;

  void u8(int v) {
    ensure(1);
    buf[n++] = (byte) v;
  }

  void u64(long v) {
    ensure(8);
    for (int i = 7; i >= 0; i--) {
      buf[n++] = (byte) (v >>> (8 * i));
    }
  }

  void varint(long v) {
    ensure(10);
    while ((v & ~0x7fL) != 0) {
      buf[n++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    buf[n++] = (byte) v;
  }

  void bytes(byte[] b) {
    varint(b.length);
    ensure(b.length);
    System.arraycopy(b, 0, buf, n, b.length);
    n += b.length;
  }

  int size() {
    return n;
  }

  ByteBuffer toBuffer() {
    return ByteBuffer.wrap(Arrays.copyOf(buf, n));
  }

  private void ensure(int more) {
    if (n + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
    }
  }
}
