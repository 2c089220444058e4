package io.tandem.storage.h2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.function.Predicate;
import org.h2.store.fs.FilePath;

/**
 * A disk that fills up: after a set number of bytes, every write fails with an
 * {@link IOException}, as {@code ENOSPC} does ("No space left on device"). Syncs and truncations
 * still work: a full disk can still flush and shrink.
 */
final class FullDisk implements InterposedFs.Disk {

  /** The {@code via} argument that routes a store through this disk. */
  static final String VIA = new Fs().getScheme() + ":"; // not a constant: loads the class
  static final FullDisk DISK = new FullDisk();

  static {
    FilePath.register(new Fs());
  }

  /** The file system H2 finds under {@code fulldisk:}. */
  public static final class Fs extends InterposedFs {

    public Fs() {}

    @Override
    public String getScheme() {
      return "fulldisk";
    }

    @Override
    Disk disk() {
      return DISK;
    }
  }

  private long free = Long.MAX_VALUE;
  private long refused;
  private Predicate<Path> files = f -> true;

  private FullDisk() {}

  /** Leaves {@code bytes} free: the write that would go past them fails, and every one after. */
  synchronized void fillUpAfter(long bytes) {
    fillUpAfter(bytes, f -> true);
  }

  /**
   * As {@link #fillUpAfter(long)}, for writes to {@code files} only; the others still write, as
   * when H2 alone cannot go on (its file on a failing sector, a bug in it) while the journal and
   * witness beside it can.
   */
  synchronized void fillUpAfter(long bytes, Predicate<Path> files) {
    free = bytes;
    refused = 0;
    this.files = files;
  }

  /** Room again, as after the user deleted something. */
  synchronized void makeRoom() {
    free = Long.MAX_VALUE;
    files = f -> true;
  }

  /** The writes refused since {@link #fillUpAfter}. */
  synchronized long refused() {
    return refused;
  }

  @Override
  public synchronized void write(Path file, long position, ByteBuffer bytes) throws IOException {
    if (!files.test(file)) {
      return;
    }
    if (bytes.remaining() > free) {
      free = 0;
      refused++;
      throw new IOException("No space left on device (simulated): " + file);
    }
    free -= bytes.remaining();
  }

  @Override
  public void force(Path file) {}

  @Override
  public void truncate(Path file, long size) {}
}
