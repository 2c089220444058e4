package io.tandem.storage.h2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * An H2 file system that passes everything to the disk below it, but first shows each write,
 * sync and truncation to a simulated {@link Disk}, which may refuse it (a full disk, a power
 * cut) or note it (the writes a power cut may lose). The store routes its file access through
 * one with {@code H2ReplicaStore.open(dir, durability, scheme + ":")}.
 *
 * <p>H2 makes its file systems by reflection, one instance per path, so a subclass has a public
 * no-argument constructor and reaches its disk through a static field.
 */
abstract class InterposedFs extends FilePathWrapper {

  /** What a simulated disk does with the file operations it sees. */
  interface Disk {

    /** Before {@code bytes} (a read-only view) are written at {@code position}. */
    void write(Path file, long position, ByteBuffer bytes) throws IOException;

    /** Before the file is forced to the platter. */
    void force(Path file) throws IOException;

    /** Before the file is cut to {@code size} bytes. */
    void truncate(Path file, long size) throws IOException;

    /** Before H2 deletes the file. */
    default void delete(Path file) {}
  }

  /** The disk this file system's operations go to. */
  abstract Disk disk();

  /** The real path under the schemes. */
  Path file() {
    FilePath p = this;
    while (p instanceof FilePathWrapper w) {
      p = w.unwrap();
    }
    return Path.of(p.toString());
  }

  @Override
  public FileChannel open(String mode) throws IOException {
    return new Channel(super.open(mode), file(), disk());
  }

  @Override
  public void delete() {
    disk().delete(file());
    super.delete();
  }

  /** A channel that shows each change to the disk, then makes it on the real channel. */
  private static final class Channel extends ForwardingChannel {
    private final Path file;
    private final Disk disk;

    Channel(FileChannel base, Path file, Disk disk) {
      super(base);
      this.file = file;
      this.disk = disk;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      disk.write(file, position, src.asReadOnlyBuffer());
      return base.write(src, position);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      disk.write(file, base.position(), src.asReadOnlyBuffer());
      return base.write(src);
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      if (size < base.size()) {
        disk.truncate(file, size);
      }
      base.truncate(size);
      return this;
    }

    /** The simulated disk decides what a sync keeps; the real file needs none (they are slow). */
    @Override
    public void force(boolean metaData) throws IOException {
      disk.force(file);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      throw new IOException("memory mapping bypasses the simulated disk");
    }
  }
}
