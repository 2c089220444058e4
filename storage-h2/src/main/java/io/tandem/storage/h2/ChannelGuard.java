package io.tandem.storage.h2;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * Closes the file channels H2 leaves open when it fails to open a damaged file.
 *
 * <p>H2 2.5.252 sometimes fails to open a corrupted {@code .mv.db} (error 90030) without closing
 * the channel it opened, and that channel keeps the file's lock until the garbage collector
 * happens to close it: the process then sees its own store as "in use" and cannot move it
 * aside. So the store opens its database through this file system, a pass-through wrapper that
 * notes the channels H2 opens on the opening thread; if opening fails, they are closed.
 */
final class ChannelGuard {

  /** The prefix of database names that go through {@link Fs}. */
  static final String SCHEME = "tandemfs";

  private static final ThreadLocal<List<FileChannel>> OPENED = new ThreadLocal<>();

  static {
    FilePath.register(new Fs());
  }

  private ChannelGuard() {}

  /**
   * The database name, for a JDBC URL, of the database file {@code base}.mv.db, its file access
   * going through this guard, then through the file systems {@code via} ("" for the disk).
   */
  static String name(Path base, String via) {
    return SCHEME + ":" + via + base;
  }

  /** Something that opens a database and may fail. */
  @FunctionalInterface
  interface Opening<T> {
    T open() throws SQLException;
  }

  /** Runs {@code opening}; if it throws, closes every channel H2 opened meanwhile. */
  static <T> T guard(Opening<T> opening) throws SQLException {
    List<FileChannel> opened = new ArrayList<>();
    List<FileChannel> outer = OPENED.get();
    OPENED.set(opened);
    boolean done = false;
    try {
      T t = opening.open();
      done = true;
      return t;
    } finally {
      OPENED.set(outer);
      if (!done) {
        for (FileChannel ch : opened) {
          try {
            ch.close(); // releases its lock
          } catch (IOException ignored) {
            // closing is all we can do
          }
        }
      }
    }
  }

  /**
   * The pass-through file system. Public with a public constructor only because H2 makes its
   * instances by reflection; not part of the store's API.
   */
  public static final class Fs extends FilePathWrapper {

    @Override
    public String getScheme() {
      return SCHEME;
    }

    @Override
    public FileChannel open(String mode) throws IOException {
      FileChannel ch = super.open(mode);
      List<FileChannel> opened = OPENED.get();
      if (opened != null) {
        opened.add(ch);
      }
      return ch;
    }
  }
}
