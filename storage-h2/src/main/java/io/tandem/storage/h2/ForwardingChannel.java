package io.tandem.storage.h2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import org.h2.store.fs.FileBase;

/**
 * A file channel that passes every operation to the one below it: the base of the channels H2's
 * file systems here hand out ({@link OrderedWrites}, and the tests' simulated disks), each
 * overriding only what it changes.
 */
abstract class ForwardingChannel extends FileBase {

  /** The channel below. */
  final FileChannel base;

  ForwardingChannel(FileChannel base) {
    this.base = base;
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    return base.read(dst, position);
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return base.read(dst);
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    return base.write(src, position);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    return base.write(src);
  }

  @Override
  public long position() throws IOException {
    return base.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    base.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    return base.size();
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    base.truncate(size);
    return this;
  }

  @Override
  public void force(boolean metaData) throws IOException {
    base.force(metaData);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    return base.tryLock(position, size, shared);
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return base.lock(position, size, shared);
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
    return base.map(mode, position, size);
  }

  @Override
  protected void implCloseChannel() throws IOException {
    base.close();
  }
}
