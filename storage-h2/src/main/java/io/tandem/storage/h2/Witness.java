package io.tandem.storage.h2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.h2.store.fs.FilePath;

/**
 * A witness, outside the database, of how many records the store has acknowledged, so that a
 * database that comes back shorter than it was is refused instead of trusted.
 *
 * <p>H2 recovers from a crash by looking for its newest valid chunk and, failing that, falls
 * back to an older one (h2#2048); after a power cut in {@link Durability#PROCESS_CRASH_SAFE} the
 * newest commits may simply be gone. Either way the file opens cleanly, one state older, and a
 * replica trusting it would issue again the sequence numbers it gave out, which must never
 * happen. So after every commit the store writes the total of its vector (which only grows)
 * here, after the database: the witness is never ahead of what the database wrote, and a
 * database behind its witness lost acknowledged writes.
 *
 * <p>Sixteen bytes: the total (u64), its CRC32C (u32), padding. A missing or unreadable witness
 * proves nothing and is written afresh.
 */
final class Witness implements AutoCloseable {

  static final String SUFFIX = ".witness";

  private final FileChannel channel;
  private final ByteBuffer buffer = ByteBuffer.allocate(16);

  private Witness(FileChannel channel) {
    this.channel = channel;
  }

  static Path file(Path dir) {
    return dir.resolve(H2ReplicaStore.NAME + SUFFIX);
  }

  /**
   * Opens, or creates, the witness of the store in {@code dir}; {@code via} as in
   * {@link StoreFiles#connect}, so that a simulated disk holds the witness beside the database.
   */
  static Witness open(Path dir, String via) throws IOException {
    if (!via.isEmpty()) {
      return new Witness(FilePath.get(via + file(dir)).open("rw"));
    }
    return new Witness(FileChannel.open(file(dir), StandardOpenOption.CREATE,
        StandardOpenOption.READ, StandardOpenOption.WRITE));
  }

  /** Removes the witness of a store that is being created or moved aside. */
  static void forget(Path dir) throws IOException {
    Files.deleteIfExists(file(dir));
  }

  /** The total last witnessed, or -1 if none can be read. */
  long read() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(16);
    while (b.hasRemaining() && channel.read(b, b.position()) > 0) {
      // keep reading
    }
    if (b.position() < 12) {
      return -1;
    }
    long total = b.getLong(0);
    return (int) crc(total) == b.getInt(8) ? total : -1;
  }

  /**
   * Witnesses {@code total}: one positioned write, and a sync if {@code sync}. Without a sync a
   * power cut may take the witness back too, and then a database that lost acknowledged writes
   * with it goes unnoticed; {@link Durability#POWER_LOSS_SAFE} syncs it, after the database.
   */
  void write(long total, boolean sync) throws IOException {
    buffer.clear();
    buffer.putLong(total).putInt((int) crc(total)).putInt(0).flip();
    while (buffer.hasRemaining()) {
      channel.write(buffer, buffer.position());
    }
    if (sync) {
      channel.force(false);
    }
  }

  private static long crc(long total) {
    CRC32C crc = new CRC32C();
    crc.update(ByteBuffer.allocate(8).putLong(0, total));
    return crc.getValue();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
