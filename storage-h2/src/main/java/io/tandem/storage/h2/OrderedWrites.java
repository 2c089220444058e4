package io.tandem.storage.h2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * The write barriers H2 leaves out, for {@link Durability#POWER_LOSS_SAFE}: a disk may keep any
 * subset of the sectors written since the last sync, in any order, and H2 trusts a chunk whose
 * first and last sectors are valid and a store header whose checksum is. Without barriers a power
 * cut can leave a chunk with its header and footer but not its middle, which H2 then takes for
 * whole and cannot read (the store refuses to open), or both copies of the store header torn.
 *
 * <p>So every write to the file goes through this file system, which orders it as a journaling
 * file system would:
 * <ul>
 *   <li>a chunk: all but its last sector, a sync, then the last sector (where H2 keeps the chunk's
 *       footer). A sector lands whole or not at all, so a chunk with a valid footer is whole;
 *   <li>the store header (its two copies, one per 4 KiB block, in one write at position 0): a sync
 *       first, so that the chunk it names is on the disk, then the first copy, a sync, and the
 *       second, so that at least one copy is whole and valid at any moment.
 * </ul>
 * The cost is one or three syncs more per commit; only the power-loss-safe level pays it, as it
 * syncs every commit anyway. Reads, syncs, locks and truncation pass through.
 */
final class OrderedWrites {

  /** The prefix of database names that go through {@link Fs}. */
  static final String SCHEME = "tandemordered";

  /** H2's block: the store header is two of them, chunks start on one. */
  private static final int BLOCK = 4096;
  /** A disk's unit of atomic writes; H2's chunk footer (128 bytes) lies in a chunk's last one. */
  private static final int SECTOR = 512;

  static {
    FilePath.register(new Fs());
  }

  private OrderedWrites() {}

  /** The {@code via} prefix, for {@link ChannelGuard#name}, that routes a file through here. */
  static String via() {
    return SCHEME + ":";
  }

  /**
   * The file system. Public with a public constructor only because H2 makes its instances by
   * reflection; not part of the store's API.
   */
  public static final class Fs extends FilePathWrapper {

    @Override
    public String getScheme() {
      return SCHEME;
    }

    @Override
    public FileChannel open(String mode) throws IOException {
      return new Channel(super.open(mode));
    }
  }

  /** A channel that splits each write with the syncs that order it. */
  private static final class Channel extends ForwardingChannel {

    Channel(FileChannel base) {
      super(base);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      int length = src.remaining();
      if (position == 0 && length == 2 * BLOCK) {
        base.force(false); // the chunk the header names is on the disk before the header
        writeFully(src, 0, BLOCK, position);
        base.force(false); // one copy is whole before the other is touched
        writeFully(src, BLOCK, BLOCK, position);
      } else if (position >= 2 * BLOCK && length > SECTOR) {
        writeFully(src, 0, length - SECTOR, position);
        base.force(false); // the body is on the disk before the footer that vouches for it
        writeFully(src, length - SECTOR, SECTOR, position);
      } else {
        writeFully(src, 0, length, position);
      }
      src.position(src.limit());
      return length;
    }

    /** Writes {@code length} bytes of {@code src} from its offset {@code from}, at their place. */
    private void writeFully(ByteBuffer src, int from, int length, long position)
        throws IOException {
      ByteBuffer part = src.duplicate();
      part.position(src.position() + from).limit(src.position() + from + length);
      long at = position + from;
      while (part.hasRemaining()) {
        at += base.write(part, at);
      }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      long at = base.position();
      int n = write(src, at);
      base.position(at + n);
      return n;
    }
  }
}
