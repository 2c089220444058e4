package io.tandem.storage.h2;

import io.tandem.replication.log.DeltaRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.zip.CRC32C;
import org.h2.store.fs.FilePath;

/**
 * The store's write-ahead journal: each group of appends is written here, one positioned write
 * (and, in {@link Durability#POWER_LOSS_SAFE}, one sync) before it is acknowledged, and the
 * records reach the database later, many groups in one commit (a checkpoint), after which the
 * journal is emptied.
 *
 * <p>Why not commit each group to H2: a commit writes a chunk of about 20 KB and costs 300–400 µs
 * of CPU whether it holds one record or two hundred (storage-h2, 2026-11-24), so at 10,000
 * writes/s with a few records per group the commits took half of a two-core machine and every
 * write queued behind them. Here a group costs the encoding of its own records.
 *
 * <p>An entry is {@code [length u32][crc32c u32][body]}, the checksum over the body; the body is
 * the group's runs, each {@code [length u32]} and a feed row's bytes ({@link RowCodec}, with its
 * own checksum). Reading stops at the first entry that is cut short or fails its checksum: the
 * torn end of a write a kill or power cut interrupted, which was never acknowledged. What the
 * journal then holds is checked by the store like everything else it reads: runs must continue
 * their feeds without gaps, and the witness must not show more records than the database and
 * journal hold together.
 *
 * <p>Emptying truncates the file to nothing. If a power cut takes the truncation back, entries
 * written before it come back too; their records are in the database by then (the checkpoint
 * committed first, synced in {@code POWER_LOSS_SAFE}), so the store skips them.
 */
final class Journal implements AutoCloseable {

  static final String SUFFIX = ".journal";
  private static final int HEADER = 8;

  private final FileChannel channel;
  private final String where;
  /** Where the next entry goes: the end of the last whole entry. */
  private long end;
  /** Set by a {@link #replay} that found bytes after the last whole entry, until {@link #cut}. */
  private boolean torn;
  /** Set when a failed write could not be cut off again: no entry may follow it. */
  private IOException broken;

  private Journal(FileChannel channel, String where) {
    this.channel = channel;
    this.where = where;
  }

  static Path file(Path dir) {
    return dir.resolve(H2ReplicaStore.NAME + SUFFIX);
  }

  /**
   * Opens, or creates, the journal of the store in {@code dir}; {@code via} as in
   * {@link StoreFiles#connect}, so that a simulated disk holds the journal beside the database.
   */
  static Journal open(Path dir, String via) throws IOException {
    Path file = file(dir);
    if (!via.isEmpty()) {
      return new Journal(FilePath.get(via + file).open("rw"), file.toString());
    }
    boolean created = Files.notExists(file);
    FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    if (created) {
      StoreFiles.syncDirectory(dir); // else a power cut may take the new file's name back
    }
    return new Journal(ch, file.toString());
  }

  /** Removes the journal of a store that is being created or moved aside. */
  static void forget(Path dir) throws IOException {
    Files.deleteIfExists(file(dir));
  }

  /**
   * Reads the runs of every whole entry, in the order written, one entry at a time. What follows
   * the last whole entry stays in the file until {@link #cut} or the next append: if the store
   * then finds records missing, the bytes are kept for {@link StoreFiles#quarantine}.
   *
   * @throws StoreCorruptedException if a whole entry holds a run that does not decode
   */
  List<List<DeltaRecord>> replay() throws IOException {
    long size = channel.size();
    List<List<DeltaRecord>> runs = new ArrayList<>();
    ByteBuffer header = ByteBuffer.allocate(HEADER);
    long pos = 0;
    while (size - pos >= HEADER && readFully(header.clear(), pos)) {
      int length = header.getInt(0);
      int crc = header.getInt(4);
      if (length <= 0 || length > size - pos - HEADER) {
        break; // cut short, or space a crash left zeroed (no entry is empty)
      }
      ByteBuffer body = ByteBuffer.allocate(length); // within the file: not a size to trust
      if (!readFully(body, pos + HEADER) || (int) crc(body.array()) != crc) {
        break; // torn
      }
      runs.addAll(runs(body.array(), pos));
      pos += HEADER + length;
    }
    end = pos;
    torn = size > end;
    return runs;
  }

  /** Cuts what a {@link #replay} left after the last whole entry: the torn end of a write. */
  void cut() throws IOException {
    if (torn) {
      channel.truncate(end);
      torn = false;
    }
  }

  private boolean readFully(ByteBuffer b, long at) throws IOException {
    while (b.hasRemaining()) {
      if (channel.read(b, at + b.position()) <= 0) {
        return false; // within the file's size a read gives bytes; none is its end
      }
    }
    return true;
  }

  /**
   * Appends {@code runs} as one entry: one write, then a sync if {@code sync}. A failed append
   * leaves the journal as it was (the partial entry is cut off again), or, if even that fails,
   * refuses every later append.
   */
  void append(Collection<List<DeltaRecord>> runs, boolean sync) throws IOException {
    if (broken != null) {
      throw new IOException("journal " + where + " is unusable since an earlier failure",
          broken);
    }
    cut(); // else a shorter entry leaves a torn one's tail after it
    List<byte[]> rows = new ArrayList<>(runs.size());
    int length = 0;
    for (List<DeltaRecord> run : runs) {
      byte[] row = RowCodec.encodeRun(run);
      rows.add(row);
      length = Math.addExact(length, 4 + row.length);
    }
    ByteBuffer entry = ByteBuffer.allocate(Math.addExact(HEADER, length));
    entry.putInt(length).putInt(0);
    for (byte[] row : rows) {
      entry.putInt(row.length).put(row);
    }
    CRC32C crc = new CRC32C();
    crc.update(entry.array(), HEADER, length);
    entry.putInt(4, (int) crc.getValue()).flip();
    try {
      long at = end;
      while (entry.hasRemaining()) {
        at += channel.write(entry, at);
      }
      if (sync) {
        channel.force(false);
      }
    } catch (IOException e) {
      try {
        channel.truncate(end);
      } catch (IOException again) {
        e.addSuppressed(again);
        broken = e;
      }
      throw e;
    }
    end += entry.limit();
  }

  /**
   * Empties the journal once its records are committed to the database; a sync if
   * {@code sync}, else an emptying a power cut takes back only brings back records the store
   * already holds.
   */
  void clear(boolean sync) throws IOException {
    channel.truncate(0);
    end = 0;
    if (sync) {
      channel.force(false);
    }
  }

  /** The bytes of whole entries the journal holds. */
  long size() {
    return end;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  private List<List<DeltaRecord>> runs(byte[] body, long at) {
    ByteBuffer b = ByteBuffer.wrap(body);
    List<List<DeltaRecord>> out = new ArrayList<>();
    while (b.hasRemaining()) {
      int n = b.remaining() >= 4 ? b.getInt() : -1;
      if (n < 0 || n > b.remaining()) {
        throw new StoreCorruptedException("journal " + where + ": the entry at " + at
            + " declares a run of " + n + " bytes in " + b.remaining());
      }
      byte[] row = new byte[n];
      b.get(row);
      out.add(RowCodec.decodeRun(row, "journal " + where + ", entry at " + at + ","));
    }
    return out;
  }

  private static long crc(byte[] body) {
    CRC32C c = new CRC32C();
    c.update(body);
    return c.getValue();
  }
}
