package io.tandem.storage.h2;

import io.tandem.crdt.Hlc;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The bytes this store keeps in its binary columns: a run of one feed's records, a version
 * vector, the replica's id, a peer's acknowledged vector (a snapshot is kept in
 * {@link io.tandem.replication.spi.SnapshotCodec}'s encoding, whose version 1 was this
 * layout with tag {@link #SNAPSHOT}). Each value is
 * {@code [type u8][version u8][body][crc32c u32]}.
 *
 * <p>The checksum is ours because H2's is not enough: MVStore checks page headers, not the bytes
 * of a value, and flipped bytes in the middle of a file mostly read back as other bytes with no
 * error. Decoding checks the checksum first, bounds every count by the bytes left, and throws
 * {@link StoreCorruptedException} naming the row; it never returns half a value.
 *
 * <p>A feed row body: origin (u64), first seq (varint), count (varint), then per record its deps
 * (a vector body), HLC wall millis (varint), HLC logical (varint), object name (varint length +
 * UTF-8) and payload (varint length + bytes). Sequence numbers are implied, consecutive from the
 * first; the HLC's replica is the origin. A vector body: count (varint), then per entry the
 * replica id (u64, ascending unsigned) and counter (varint).
 */
final class RowCodec {

  static final int FEED_ROW = 'F';
  static final int VECTOR = 'V';
  static final int SNAPSHOT = 'S';
  static final int META = 'M';
  static final int PEER = 'P';
  static final int VERSION = 1;

  private RowCodec() {}

  // ---- feed rows ----

  /** One row's bytes for {@code run}: consecutive records of one feed. */
  static byte[] encodeRun(List<DeltaRecord> run) {
    DeltaRecord first = run.get(0);
    Out out = new Out(FEED_ROW);
    out.u64(first.origin().value());
    out.varint(first.seq());
    out.varint(run.size());
    for (DeltaRecord r : run) {
      vectorBody(out, r.deps());
      out.varint(r.hlc().wallMillis());
      out.varint(Integer.toUnsignedLong(r.hlc().logical()));
      out.sized(r.object().getBytes(StandardCharsets.UTF_8));
      out.sized(r.payload());
    }
    return out.finish();
  }

  /**
   * The records of a row, checked against what its columns say it holds.
   *
   * @throws StoreCorruptedException if the bytes are damaged or disagree with the columns
   */
  static List<DeltaRecord> decodeRun(byte[] row, ReplicaId origin, long firstSeq, long lastSeq,
      String where) {
    In in = new In(row, FEED_ROW, where);
    long id = in.u64();
    long first = in.varint();
    long count = in.varint();
    if (id != origin.value() || first != firstSeq || count != lastSeq - firstSeq + 1) {
      throw in.damage("holds " + Long.toHexString(id) + " seqs " + first + "+" + count
          + ", its columns say " + origin + " " + firstSeq + ".." + lastSeq);
    }
    return records(in, origin, first, count);
  }

  /**
   * The records of a run kept without columns to check it against ({@link Journal}): its own
   * checksum and a non-empty run starting at seq 1 or later are all there is to check.
   *
   * @throws StoreCorruptedException if the bytes are damaged
   */
  static List<DeltaRecord> decodeRun(byte[] row, String where) {
    In in = new In(row, FEED_ROW, where);
    long id = in.u64();
    long first = in.varint();
    long count = in.varint();
    if (id == 0 || first < 1 || count < 1 || first > Long.MAX_VALUE - count) {
      throw in.damage("holds " + Long.toHexString(id) + " seqs " + first + "+" + count);
    }
    return records(in, ReplicaId.of(id), first, count);
  }

  private static List<DeltaRecord> records(In in, ReplicaId origin, long first, long count) {
    in.atMost(count, 8); // every record takes at least eight bytes
    List<DeltaRecord> out = new ArrayList<>((int) count);
    for (long i = 0; i < count; i++) {
      VersionVector deps = vectorBody(in);
      long wall = in.varint();
      long logical = in.varint();
      String object = new String(in.sized(), StandardCharsets.UTF_8);
      byte[] payload = in.sized();
      try {
        if (logical > 0xFFFF_FFFFL) {
          throw new IllegalArgumentException("logical clock " + logical);
        }
        out.add(new DeltaRecord(origin, first + i, deps, new Hlc(wall, (int) logical, origin),
            object, payload));
      } catch (IllegalArgumentException e) {
        throw in.damage("record " + (first + i) + " is invalid: " + e.getMessage());
      }
    }
    in.end();
    return out;
  }

  // ---- vectors ----

  static byte[] encodeVector(VersionVector v) {
    Out out = new Out(VECTOR);
    vectorBody(out, v);
    return out.finish();
  }

  static VersionVector decodeVector(byte[] bytes, String where) {
    In in = new In(bytes, VECTOR, where);
    VersionVector v = vectorBody(in);
    in.end();
    return v;
  }

  static void vectorBody(Out out, VersionVector v) {
    out.varint(v.size());
    for (int i = 0; i < v.size(); i++) {
      out.u64(v.replicaAt(i).value());
      out.varint(v.counterAt(i));
    }
  }

  static VersionVector vectorBody(In in) {
    int n = in.atMost(in.varint(), 9);
    long[] ids = new long[n];
    long[] counters = new long[n];
    for (int i = 0; i < n; i++) {
      ids[i] = in.u64();
      counters[i] = in.varint();
    }
    try {
      return VersionVector.ofSorted(ids, counters);
    } catch (IllegalArgumentException e) {
      throw in.damage("bad vector: " + e.getMessage());
    }
  }

  // ---- meta and peers ----

  /** The replica id a store is bound to, checksummed: a flipped id would be a stolen identity. */
  static byte[] encodeMeta(ReplicaId id) {
    Out out = new Out(META);
    out.u64(id.value());
    return out.finish();
  }

  static ReplicaId decodeMeta(byte[] bytes, long column, String where) {
    In in = new In(bytes, META, where);
    long id = in.u64();
    in.end();
    if (id != column || id == 0) {
      throw in.damage("holds replica " + Long.toHexString(id) + ", its column says "
          + Long.toHexString(column));
    }
    return ReplicaId.of(id);
  }

  /** What a peer acknowledged, with the peer's id, so that a row cannot change hands. */
  static byte[] encodePeer(ReplicaId peer, VersionVector acknowledged) {
    Out out = new Out(PEER);
    out.u64(peer.value());
    vectorBody(out, acknowledged);
    return out.finish();
  }

  static VersionVector decodePeer(byte[] bytes, long column, String where) {
    In in = new In(bytes, PEER, where);
    long id = in.u64();
    VersionVector v = vectorBody(in);
    in.end();
    if (id != column) {
      throw in.damage("holds peer " + Long.toHexString(id) + ", its column says "
          + Long.toHexString(column));
    }
    return v;
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }

  // ---- primitives ----

  /** A growable buffer that ends with the checksum. */
  static final class Out {
    private byte[] buf = new byte[128];
    private int size;

    Out(int type) {
      u8(type);
      u8(VERSION);
    }

    void u8(int b) {
      ensure(1);
      buf[size++] = (byte) b;
    }

    void u64(long v) {
      ensure(8);
      for (int shift = 56; shift >= 0; shift -= 8) {
        buf[size++] = (byte) (v >>> shift);
      }
    }

    /** Unsigned LEB128. */
    void varint(long v) {
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        buf[size++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[size++] = (byte) v;
    }

    void sized(byte[] b) {
      varint(b.length);
      ensure(b.length);
      System.arraycopy(b, 0, buf, size, b.length);
      size += b.length;
    }

    byte[] finish() {
      CRC32C crc = new CRC32C();
      crc.update(buf, 0, size);
      int c = (int) crc.getValue();
      ensure(4);
      for (int shift = 24; shift >= 0; shift -= 8) {
        buf[size++] = (byte) (c >>> shift);
      }
      return Arrays.copyOf(buf, size);
    }

    private void ensure(int n) {
      if (size + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
      }
    }
  }

  /** A bounds-checked reader over a value whose checksum, type and version were checked. */
  static final class In {
    private final byte[] b;
    private final String where;
    private final int end;
    private int pos;

    In(byte[] bytes, int type, String where) {
      this.b = bytes;
      this.where = where;
      if (bytes == null || bytes.length < 6) {
        throw damage("is truncated (" + (bytes == null ? "null" : bytes.length + " bytes") + ")");
      }
      this.end = bytes.length - 4;
      CRC32C crc = new CRC32C();
      crc.update(bytes, 0, end);
      int stored = (bytes[end] & 0xFF) << 24 | (bytes[end + 1] & 0xFF) << 16
          | (bytes[end + 2] & 0xFF) << 8 | bytes[end + 3] & 0xFF;
      if (stored != (int) crc.getValue()) {
        throw damage("fails its checksum");
      }
      if ((bytes[0] & 0xFF) != type) {
        throw damage("has type " + (bytes[0] & 0xFF) + ", expected " + type);
      }
      if ((bytes[1] & 0xFF) != VERSION) {
        throw damage("has format version " + (bytes[1] & 0xFF) + ", this build reads "
            + VERSION);
      }
      pos = 2;
    }

    long u64() {
      need(8);
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = v << 8 | (b[pos++] & 0xFF);
      }
      return v;
    }

    long varint() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        need(1);
        byte x = b[pos++];
        v |= (long) (x & 0x7F) << shift;
        if (x >= 0) {
          return v;
        }
      }
      throw damage("has an overlong varint");
    }

    byte[] sized() {
      int n = atMost(varint(), 1);
      byte[] out = Arrays.copyOfRange(b, pos, pos + n);
      pos += n;
      return out;
    }

    /** {@code count} as an int, if that many items of {@code minBytes} each fit in what is left. */
    int atMost(long count, int minBytes) {
      if (count < 0 || count > (long) (end - pos) / minBytes) {
        throw damage("declares " + count + " items in " + (end - pos) + " bytes");
      }
      return (int) count;
    }

    void end() {
      if (pos != end) {
        throw damage("has " + (end - pos) + " bytes after its value");
      }
    }

    StoreCorruptedException damage(String what) {
      return new StoreCorruptedException(where + " " + what);
    }

    private void need(int n) {
      if (end - pos < n) {
        throw damage("is truncated");
      }
    }
  }
}
