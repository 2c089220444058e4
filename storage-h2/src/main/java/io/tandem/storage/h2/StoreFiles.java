package io.tandem.storage.h2;

import io.tandem.replication.spi.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.h2.mvstore.DataUtils;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * The store's files: where they live by default, how one is created, checked before H2 reads
 * it, connected to, and moved aside when damaged.
 */
final class StoreFiles {

  private static final System.Logger LOG = System.getLogger(StoreFiles.class.getName());

  private static final String NAME = H2ReplicaStore.NAME;
  /** Canonical directories of the stores open in this process. */
  static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();

  private StoreFiles() {}

  /** Makes the store object once its database is connected. */
  @FunctionalInterface
  interface Factory {
    H2ReplicaStore make(Path dir, Path key, Connection c) throws SQLException;
  }

  /**
   * Opens, or creates, the store in {@code abs}; see {@link H2ReplicaStore#open}. With
   * {@code rewriteAfterCrash}, a file that was not closed cleanly is first {@link #rewrite
   * rewritten}.
   */
  static H2ReplicaStore open(Path abs, String via, boolean rewriteAfterCrash, Factory factory) {
    if (abs.toString().indexOf(';') >= 0) {
      throw new IllegalArgumentException("a store path cannot contain ';': " + abs);
    }
    if (!via.isEmpty() && !(FilePath.get(via + abs) instanceof FilePathWrapper)) {
      // H2 would take an unknown scheme for part of a relative file name
      throw new IllegalArgumentException("no H2 file system registered for " + via);
    }
    Path key;
    try {
      Files.createDirectories(abs);
      key = abs.toRealPath();
    } catch (IOException e) {
      throw new StoreException("cannot create store directory " + abs + ": " + e, e);
    }
    if (!OPEN.add(key)) {
      throw new StoreLockedException("store " + abs + " is already open in this process", null);
    }
    try {
      // Every channel H2 opens along the way is closed if this fails (ChannelGuard).
      return ChannelGuard.guard(() -> {
        Connection c = null;
        try {
          Path file = databaseFile(abs);
          if (!Files.exists(file)) {
            create(abs, file, via);
          }
          boolean clean = checkHeader(file);
          c = connect(abs.resolve(NAME), via, true);
          if (!clean && rewriteAfterCrash) {
            c = rewrite(c, abs.resolve(NAME), via);
            LOG.log(System.Logger.Level.INFO, () -> "store " + abs + " was not closed cleanly:"
                + " rewrote its file from the state H2 keeps");
          }
          return factory.make(abs, key, c);
        } catch (SQLException | RuntimeException | Error e) {
          abandon(c); // a store that failed to open leaves its file as it found it
          throw e;
        }
      });
    } catch (SQLException e) {
      OPEN.remove(key);
      throw Errors.mapOpening(abs.toString(), e);
    } catch (Error e) {
      OPEN.remove(key);
      if (Errors.isH2ReadFailure(e)) {
        throw Errors.h2ReadFailure(abs.toString(), "opening", e);
      }
      throw e;
    } catch (RuntimeException e) {
      OPEN.remove(key);
      throw e;
    }
  }

  static Path databaseFile(Path dir) {
    return dir.resolve(NAME + ".mv.db");
  }

  static Path defaultDirectory(Map<String, String> env, String osName, String home) {
    String os = osName.toLowerCase(Locale.ROOT);
    if (os.startsWith("windows")) {
      String local = env.get("LOCALAPPDATA");
      return local != null && !local.isBlank() ? Path.of(local, "Tandem")
          : Path.of(home, "AppData", "Local", "Tandem");
    }
    if (os.startsWith("mac")) {
      return Path.of(home, "Library", "Application Support", "Tandem");
    }
    String xdg = env.get("XDG_DATA_HOME");
    if (xdg != null && Path.of(xdg).isAbsolute()) { // the spec says to ignore relative ones
      return Path.of(xdg, "tandem");
    }
    return Path.of(home, ".local", "share", "tandem");
  }

  /** Moves the file of the store in {@code abs}, which is not open here, aside. */
  static Optional<Path> quarantine(Path abs) {
    Path file = databaseFile(abs);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      if (OPEN.contains(abs.toRealPath())) {
        throw new StoreLockedException("store " + abs + " is open in this process", null);
      }
      String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
      Path target = abs.resolve(NAME + ".damaged-" + stamp + ".mv.db");
      for (int i = 1; Files.exists(target); i++) {
        target = abs.resolve(NAME + ".damaged-" + stamp + "-" + i + ".mv.db");
      }
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
          StandardOpenOption.WRITE); FileLock held = ch.tryLock()) {
        if (held == null) {
          throw new StoreLockedException("store " + abs + " is in use by another process", null);
        }
        Files.move(file, target);
      }
      Path witness = Witness.file(abs);
      if (Files.exists(witness)) {
        Files.move(witness, abs.resolve(target.getFileName().toString()
            .replace(".mv.db", Witness.SUFFIX)));
      }
      Path journal = Journal.file(abs);
      if (Files.exists(journal)) {
        Files.move(journal, abs.resolve(target.getFileName().toString()
            .replace(".mv.db", Journal.SUFFIX)));
      }
      return Optional.of(target);
    } catch (OverlappingFileLockException e) {
      throw new StoreLockedException("store " + abs + " is open in this process", e);
    } catch (IOException e) {
      throw new StoreException("cannot move " + file + " aside: " + e, e);
    }
  }

  /**
   * Creates a store: the schema is written to a side file that is linked in place only once
   * complete, so a file under the store's name always had its schema, and one without it is
   * damage (H2 opens a file cut to its headers as a new, empty database).
   */
  static void create(Path dir, Path file, String via) throws SQLException {
    removeStaleSideFiles(dir);
    String side = NAME + ".creating-" + ProcessHandle.current().pid() + "-"
        + Long.toHexString(System.nanoTime());
    Path sideFile = dir.resolve(side + ".mv.db");
    try {
      try (Connection c = connect(dir.resolve(side), via, false)) {
        Schema.create(c);
      }
      try (FileChannel ch = FileChannel.open(sideFile, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Witness.forget(dir); // a witness left by a store moved aside
      Journal.forget(dir); // and a journal, whose records belong to that store
      try {
        Files.createLink(file, sideFile);
      } catch (FileAlreadyExistsException raced) {
        // Another process created it first: open theirs.
      } catch (UnsupportedOperationException | IOException noLinks) {
        try {
          Files.move(sideFile, file); // fails, without replacing, if it exists by now
        } catch (FileAlreadyExistsException raced) {
          // as above
        }
      }
      syncDirectory(dir);
    } catch (IOException e) {
      throw new StoreException("cannot create store in " + dir + ": " + e, e);
    } finally {
      try {
        Files.deleteIfExists(sideFile);
      } catch (IOException ignored) {
        // a leftover side file is harmless
      }
    }
  }

  /** Side files a creation killed half-way left behind, an hour old or more. */
  private static void removeStaleSideFiles(Path dir) {
    long hourAgo = System.currentTimeMillis() - 3_600_000;
    try (var side = Files.newDirectoryStream(dir, NAME + ".creating-*")) {
      for (Path p : side) {
        if (Files.getLastModifiedTime(p).toMillis() < hourAgo) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException ignored) {
      // a leftover side file is harmless
    }
  }

  /**
   * Rewrites the file of {@code c}'s database with only the state H2 will keep
   * ({@code SHUTDOWN COMPACT}: a new file, moved over the old one in one step), closes {@code c}
   * and connects again. {@link Database#compact} uses it to reclaim space.
   *
   * <p>Why at open, after a crash: without syncs a power cut may take back commits that other
   * chunks already built on, and H2 then goes on from an older version while chunks of the
   * abandoned versions stay in its free space, whole, with the same chunk ids as those it writes
   * next. Opening such a file, H2 can read the newer, abandoned state, and after its next commit
   * open at another one: PowerCutTest saw a store open with 528 records, pass its check, close
   * cleanly and open with 388 (the file is {@code abandoned-timeline} in the tests' resources).
   * Rewritten, the file holds one version and nothing else, so what the store reads at this open,
   * and checks against its witness, is what every later open reads.
   */
  static Connection rewrite(Connection c, Path base, String via) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SHUTDOWN COMPACT");
    }
    closeQuietly(c);
    return connect(base, via, true);
  }

  /**
   * Checks what can be checked before H2 reads the file: it holds MVStore's two header blocks,
   * and the newest chunk a valid header names ends within the file. H2 would open a file cut
   * to its headers as a new, empty database, and one cut inside its chunks may open at an older
   * state; after a clean close the header names the newest chunk, so any cut shows here. (After
   * a crash the header may name an older chunk, and a cut past it looks like the crash itself.)
   *
   * @return whether the header says the file was closed cleanly
   */
  static boolean checkHeader(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 2 * BLOCK) {
        throw truncated(file, size + " bytes");
      }
      Map<String, String> header = null;
      for (int at = 0; at < 2 * BLOCK; at += BLOCK) {
        Map<String, String> h = storeHeader(read(ch, at, BLOCK));
        if (h != null && (header == null || hex(h, "version") > hex(header, "version"))) {
          header = h;
        }
      }
      if (header == null) {
        throw new StoreCorruptedException("store file " + file + " has no valid H2 file header;"
            + " move it aside with H2ReplicaStore.quarantine and recover from a trusted device");
      }
      long block = hex(header, "block");
      if ((block + 1) * BLOCK > size) {
        throw truncated(file, size + " bytes, its header names a chunk at block " + block);
      }
      String chunk = new String(read(ch, block * BLOCK, 256), StandardCharsets.ISO_8859_1);
      if (chunk.startsWith("chunk:")) {
        int end = chunk.indexOf('\n');
        long len = hex(DataUtils.parseMap(end < 0 ? chunk.trim() : chunk.substring(0, end)),
            "len");
        if ((block + len) * BLOCK > size) {
          throw truncated(file, size + " bytes, its newest chunk ends at byte "
              + (block + len) * BLOCK);
        }
      }
      return header.containsKey("clean");
    } catch (IOException | RuntimeException e) {
      if (e instanceof StoreException se) {
        throw se;
      }
      throw new StoreException("cannot read store file " + file + ": " + e, e);
    }
  }

  private static final int BLOCK = 4096;

  /** An MVStore header block's fields, if its checksum holds. */
  private static Map<String, String> storeHeader(byte[] block) {
    String s = new String(block, StandardCharsets.ISO_8859_1).trim();
    int f = s.lastIndexOf(",fletcher:");
    if (!s.startsWith("H:2,") || f < 0) {
      return null;
    }
    try {
      Map<String, String> m = DataUtils.parseMap(s);
      byte[] covered = s.substring(0, f).getBytes(StandardCharsets.ISO_8859_1);
      return hex(m, "fletcher") == (DataUtils.getFletcher32(covered, 0, covered.length)
          & 0xFFFF_FFFFL) ? m : null;
    } catch (RuntimeException unparsable) {
      return null;
    }
  }

  private static long hex(Map<String, String> m, String key) {
    String v = m.get(key);
    return v == null ? 0 : Long.parseUnsignedLong(v, 16);
  }

  private static byte[] read(FileChannel ch, long at, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining() && ch.read(b, at + b.position()) > 0) {
      // keep reading
    }
    return b.array();
  }

  private static StoreCorruptedException truncated(Path file, String what) {
    return new StoreCorruptedException("store file " + file + " is truncated (" + what
        + "); move it aside with H2ReplicaStore.quarantine and recover from a trusted device");
  }

  /**
   * Connects to the database {@code base}.mv.db; {@code via} names H2 file systems (FilePath
   * schemes, each ending in ':') that its file access goes through after {@link ChannelGuard},
   * "" in production: tests put a simulated disk there (power cuts, a full disk).
   */
  static Connection connect(Path base, String via, boolean mustExist) throws SQLException {
    // WRITE_DELAY=0: a commit is written before it returns (the default delay lost every
    // committed row on SIGKILL). DB_CLOSE_ON_EXIT=FALSE: close() and our own hook close it.
    String url = "jdbc:h2:" + ChannelGuard.name(base, via) + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE"
        + (mustExist ? ";IFEXISTS=TRUE" : "");
    Properties props = new Properties();
    props.setProperty("user", "sa");
    props.setProperty("password", "");
    Connection c = org.h2.Driver.load().connect(url, props);
    c.setAutoCommit(false);
    return c;
  }

  static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException notEverywhere) {
      // Windows cannot open a directory; its file system orders the link itself.
    }
  }

  /**
   * Closes {@code c} without writing to its file ({@code SHUTDOWN IMMEDIATELY}): a normal close
   * writes a last chunk and compacts, which, on a file found damaged, would rewrite it from what
   * could be read and hide the damage from the next open.
   */
  static void abandon(Connection c) {
    if (c != null) {
      try (Statement s = c.createStatement()) {
        s.execute("SHUTDOWN IMMEDIATELY");
      } catch (SQLException ignored) {
        // closing below is what is left
      }
      closeQuietly(c);
    }
  }

  static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // the failure that led here is the one reported
      }
    }
  }
}
