package io.tandem.replication.bundle;

import io.tandem.crdt.VersionVector;
import io.tandem.replication.Replica;
import io.tandem.replication.protocol.ProtocolException;
import io.tandem.replication.protocol.ProtocolException.Reason;
import io.tandem.replication.protocol.ProtocolLimits;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Sync by hand: a file carried between devices ("sneakernet"). {@link #export} writes what a
 * peer lacks, given the vector it last reported, and {@link #importFile} feeds such a file to a
 * replica through the same sessions, checks and causal order as a live connection.
 *
 * <pre>
 * bundle := magic "TNDB" version:u8(=1) count:u32 count × (length:u32 frame) crc32:u32
 * </pre>
 * The checksum covers everything before it. A damaged, truncated or oversized file is refused
 * whole and changes nothing.
 */
public final class BundleTransport {

  private static final int MAGIC = 0x544e4442; // "TNDB"
  private static final int VERSION = 1;

  /** The largest bundle read; larger files are refused before a byte is read. */
  public static final long MAX_BUNDLE_BYTES = 1L << 30;

  private BundleTransport() {}

  /**
   * Writes a bundle of everything {@code replica} holds beyond {@code peerHas} to {@code file},
   * atomically (a reader never sees half a bundle).
   *
   * @return the number of frames written
   */
  public static int export(Replica replica, VersionVector peerHas, Path file) throws IOException {
    List<ByteBuffer> frames = replica.exportBundle(peerHas);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(MAGIC);
    out.writeByte(VERSION);
    out.writeInt(frames.size());
    for (ByteBuffer f : frames) {
      out.writeInt(f.remaining());
      out.write(f.array(), f.arrayOffset() + f.position(), f.remaining());
    }
    out.flush();
    CRC32 crc = new CRC32();
    crc.update(bytes.toByteArray());
    out.writeInt((int) crc.getValue());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, bytes.toByteArray());
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return frames.size();
  }

  /**
   * Applies the bundle in {@code file} to {@code replica}.
   *
   * @return the number of records applied (0 when it held nothing new)
   * @throws ProtocolException if the file is damaged or breaks the protocol; nothing changes
   */
  public static int importFile(Replica replica, Path file, ProtocolLimits limits)
      throws IOException, ProtocolException {
    long size = Files.size(file);
    if (size > MAX_BUNDLE_BYTES) {
      throw new ProtocolException(Reason.LIMIT_EXCEEDED, "bundle of " + size + " bytes, above "
          + MAX_BUNDLE_BYTES);
    }
    byte[] all = Files.readAllBytes(file);
    return replica.importBundle(read(all, limits));
  }

  /**
   * The frames of a bundle. The form is read first, so that a truncated file says TRUNCATED and
   * a future version says UNSUPPORTED_VERSION; then the checksum guards every byte.
   */
  static List<ByteBuffer> read(byte[] all, ProtocolLimits limits) throws ProtocolException {
    ByteBuffer in = ByteBuffer.wrap(all);
    if (in.remaining() < 5) {
      throw new ProtocolException(Reason.TRUNCATED, "bundle of " + all.length + " bytes");
    }
    if (in.getInt() != MAGIC) {
      throw new ProtocolException(Reason.MALFORMED, "not a Tandem bundle");
    }
    int version = in.get() & 0xff;
    if (version != VERSION) {
      throw new ProtocolException(Reason.UNSUPPORTED_VERSION, "bundle version " + version);
    }
    if (in.remaining() < 4) {
      throw new ProtocolException(Reason.TRUNCATED, "bundle ends before its frame count");
    }
    int count = in.getInt();
    if (count < 1 || count > in.remaining() / 4) {
      throw new ProtocolException(count < 1 ? Reason.MALFORMED : Reason.TRUNCATED,
          "bundle claims " + Integer.toUnsignedString(count) + " frames");
    }
    List<ByteBuffer> frames = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      if (in.remaining() < 4) {
        throw new ProtocolException(Reason.TRUNCATED, "bundle ends before frame " + i);
      }
      int len = in.getInt();
      if (len < 1 || len > limits.maxFrameBytes()) {
        throw new ProtocolException(Reason.MALFORMED, "frame " + i + " claims "
            + Integer.toUnsignedString(len) + " bytes");
      }
      if (len > in.remaining()) {
        throw new ProtocolException(Reason.TRUNCATED, "bundle ends inside frame " + i);
      }
      ByteBuffer f = in.slice();
      f.limit(len);
      frames.add(f);
      in.position(in.position() + len);
    }
    if (in.remaining() < 4) {
      throw new ProtocolException(Reason.TRUNCATED, "bundle ends before its checksum");
    }
    if (in.remaining() > 4) {
      throw new ProtocolException(Reason.MALFORMED, "bytes after the checksum");
    }
    CRC32 crc = new CRC32();
    crc.update(all, 0, all.length - 4);
    if ((int) crc.getValue() != in.getInt()) {
      throw new ProtocolException(Reason.MALFORMED, "bundle checksum does not match");
    }
    return frames;
  }
}
