package io.tandem.replication.spi;

import io.tandem.crdt.Hlc;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The one encoding of a {@link Snapshot}: what a store serves in chunks, what a transfer checks
 * by SHA-256 and what the receiver decodes. The same snapshot always gives the same bytes.
 *
 * <pre>
 * snapshot := 'S' version:u8 vector count:varint count × object [clock] crc32c:u32 (big-endian)
 * vector   := n:varint n × (id:u64 counter:varint), ids ascending
 * object   := name:(len:varint, UTF-8) state:(len:varint, bytes), names ascending
 * clock    := wall:varint logical:varint replica:u64          (version 2 only)
 * </pre>
 * Version 1 is a snapshot without a clock, byte for byte what storage-h2 wrote before clocks
 * were kept; version 2 carries one. The checksum covers every byte before it.
 */
public final class SnapshotCodec {

  private static final int TAG = 'S';

  private SnapshotCodec() {}

  public static byte[] encode(Snapshot s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(TAG);
    out.write(s.clock() == null ? 1 : 2);
    varint(out, s.vector().size());
    for (int i = 0; i < s.vector().size(); i++) {
      u64(out, s.vector().replicaAt(i).value());
      varint(out, s.vector().counterAt(i));
    }
    varint(out, s.objects().size());
    s.objects().forEach((name, state) -> {
      sized(out, name.getBytes(StandardCharsets.UTF_8));
      sized(out, state);
    });
    if (s.clock() != null) {
      varint(out, s.clock().wallMillis());
      varint(out, s.clock().logical());
      u64(out, s.clock().replica().value());
    }
    CRC32C crc = new CRC32C();
    byte[] body = out.toByteArray();
    crc.update(body);
    ByteBuffer b = ByteBuffer.allocate(body.length + 4).put(body);
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /**
   * Decodes bytes from a store or a peer, trusting none of their counts.
   *
   * @throws IllegalArgumentException naming what is wrong; no half-built snapshot escapes
   */
  public static Snapshot decode(byte[] bytes) {
    if (bytes.length < 7) {
      throw new IllegalArgumentException("snapshot of " + bytes.length + " bytes is truncated");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    ByteBuffer in = ByteBuffer.wrap(bytes, 0, bytes.length - 4);
    if ((int) crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt()) {
      throw new IllegalArgumentException("snapshot checksum does not match");
    }
    try {
      int tag = in.get() & 0xff;
      int version = in.get() & 0xff;
      if (tag != TAG || version < 1 || version > 2) {
        throw new IllegalArgumentException("not a snapshot of a known version: " + tag + "/"
            + version);
      }
      int n = count(in, 9);
      long[] ids = new long[n];
      long[] counters = new long[n];
      for (int i = 0; i < n; i++) {
        ids[i] = in.getLong();
        counters[i] = varint(in);
      }
      VersionVector vector = VersionVector.ofSorted(ids, counters);
      int objects = count(in, 2);
      Map<String, byte[]> out = new LinkedHashMap<>();
      String previous = null;
      for (int i = 0; i < objects; i++) {
        String name = DeltaRecord.checkObjectName(
            new String(sized(in), StandardCharsets.UTF_8));
        if (previous != null && previous.compareTo(name) >= 0) {
          throw new IllegalArgumentException("object names not ascending at " + name);
        }
        previous = name;
        out.put(name, sized(in));
      }
      Hlc clock = null;
      if (version == 2) {
        long wall = varint(in);
        long logical = varint(in);
        if (wall < 0 || logical < 0 || logical > Integer.MAX_VALUE) {
          throw new IllegalArgumentException("bad clock " + wall + "." + logical);
        }
        clock = new Hlc(wall, (int) logical, ReplicaId.of(in.getLong()));
      }
      if (in.hasRemaining()) {
        throw new IllegalArgumentException(in.remaining() + " trailing bytes in snapshot");
      }
      return new Snapshot(vector, out, clock);
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("snapshot is truncated", e);
    }
  }

  /** The SHA-256 of {@code bytes}. */
  public static byte[] sha256(byte[] bytes) {
    return sha256(bytes, 0, bytes.length);
  }

  public static byte[] sha256(byte[] bytes, int offset, int length) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(bytes, offset, length);
      return d.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }

  private static int count(ByteBuffer in, int minBytes) {
    long n = varint(in);
    if (n < 0 || n * minBytes > in.remaining()) {
      throw new IllegalArgumentException("count " + n + " exceeds the " + in.remaining()
          + " bytes left");
    }
    return (int) n;
  }

  private static byte[] sized(ByteBuffer in) {
    long n = varint(in);
    if (n < 0 || n > in.remaining()) {
      throw new IllegalArgumentException("length " + n + " exceeds the " + in.remaining()
          + " bytes left");
    }
    byte[] b = new byte[(int) n];
    in.get(b);
    return b;
  }

  private static long varint(ByteBuffer in) {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = in.get() & 0xff;
      v |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new IllegalArgumentException("varint longer than 10 bytes");
  }

  private static void varint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7fL) != 0) {
      out.write((int) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  private static void u64(ByteArrayOutputStream out, long v) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.write((int) (v >>> shift));
    }
  }

  private static void sized(ByteArrayOutputStream out, byte[] b) {
    varint(out, b.length);
    out.write(b, 0, b.length);
  }
}
