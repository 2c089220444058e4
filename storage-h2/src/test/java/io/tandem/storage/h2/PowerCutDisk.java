package io.tandem.storage.h2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.h2.store.fs.FilePath;

/**
 * A disk with a volatile write cache that loses power on demand, for power-cut tests below H2
 * (after H2's {@code TestReorderWrites} and LazyFS, written anew).
 *
 * <p>While the power is on, every write reaches the real file at once, so the running store and
 * anything else reading the file see it, as they would see the page cache; but the disk also
 * keeps, per file, what is on its platter (the file's bytes when first seen, plus every change
 * synced since) and the changes not yet synced, in order. A {@code force} moves a file's cached
 * changes to its platter; so does {@link #writeBack()}, as the kernel's periodic writeback does
 * without the program asking.
 *
 * <p>The power goes after a set number of operations ({@link #cutAfter}) or at once
 * ({@link #cutNow}); from then on every write, sync and truncation fails with an
 * {@link IOException}, and nothing more reaches the file. {@link #powerOn} then writes to each
 * file what a disk might hold after the cut: its platter, plus any subset of its cached changes
 * in 512-byte sectors (a sector is written whole or not at all, as disks promise), applied in
 * the order they were made: so unsynced writes are dropped, reordered (a later one kept, an
 * earlier one lost) or applied in part (some sectors of one write).
 */
final class PowerCutDisk implements InterposedFs.Disk {

  /** The {@code via} argument that routes a store through this disk. */
  static final String VIA = new Fs().getScheme() + ":"; // not a constant: loads the class
  static final int SECTOR = 512;
  static final PowerCutDisk DISK = new PowerCutDisk();

  static {
    FilePath.register(new Fs());
  }

  /** The file system H2 finds under {@code powercut:}. */
  public static final class Fs extends InterposedFs {

    public Fs() {}

    @Override
    public String getScheme() {
      return "powercut";
    }

    @Override
    Disk disk() {
      return DISK;
    }
  }

  /** A change in the cache: bytes written at a position, or a cut to a length. */
  private record Change(long position, byte[] bytes, long truncateTo) {}

  /** A file as the disk holds it. */
  private static final class Cached {
    byte[] platter;
    final List<Change> changes = new ArrayList<>();

    Cached(byte[] platter) {
      this.platter = platter;
    }
  }

  /** How a cut treated the cached changes, for the test's report. */
  enum Fate {
    /** Nothing unsynced reached the platter. */
    ALL_LOST,
    /** Everything did, as if written back just before. */
    ALL_KEPT,
    /** Each sector independently, so later writes may survive earlier ones. */
    REORDERED,
    /** A prefix of the changes in order, the last of them torn: a prefix of its sectors. */
    TORN_PREFIX
  }

  private final Map<Path, Cached> files = new HashMap<>();
  /** What the last {@link #powerOn} did to each cached change, for a failure's report. */
  private final StringBuilder lastCut = new StringBuilder();
  private long countdown = Long.MAX_VALUE;
  private boolean down;
  private long operations;
  private long syncs;

  private PowerCutDisk() {}

  /** Power on, nothing cached, no cut planned: every file is taken as on the platter. */
  synchronized void reset() {
    files.clear();
    countdown = Long.MAX_VALUE;
    down = false;
    operations = 0;
    syncs = 0;
  }

  /** The power goes at the {@code n}-th write, sync or truncation from now, before it is done. */
  synchronized void cutAfter(long n) {
    countdown = n;
  }

  synchronized void cutNow() {
    down = true;
  }

  synchronized boolean isDown() {
    return down;
  }

  /** Writes, syncs and truncations seen since {@link #reset()}. */
  synchronized long operations() {
    return operations;
  }

  /** Syncs seen since {@link #reset()}. */
  synchronized long syncs() {
    return syncs;
  }

  /** The kernel's writeback: every cached change reaches the platter, no sync asked for. */
  synchronized void writeBack() {
    if (!down) {
      for (Cached c : files.values()) {
        settle(c);
      }
    }
  }

  /**
   * Brings the power back: each file gets its platter plus the cached changes that {@code fate}
   * lets through, decided by {@code random}.
   */
  synchronized void powerOn(Random random, Fate fate) throws IOException {
    if (!down) {
      throw new IllegalStateException("the power is on");
    }
    double keep = random.nextDouble();
    lastCut.setLength(0);
    lastCut.append(fate);
    for (Map.Entry<Path, Cached> e : files.entrySet()) {
      lastCut.append("\n ").append(e.getKey().getFileName()).append(" platter ")
          .append(e.getValue().platter.length).append(':');
      Cached c = e.getValue();
      int prefix = random.nextInt(c.changes.size() + 1);
      byte[] image = c.platter;
      for (int i = 0; i < c.changes.size(); i++) {
        Change ch = c.changes.get(i);
        if (ch.bytes() == null) {
          boolean kept = switch (fate) {
            case ALL_LOST -> false;
            case ALL_KEPT -> true;
            case REORDERED -> random.nextDouble() < keep;
            case TORN_PREFIX -> i < prefix;
          };
          if (kept) {
            image = Arrays.copyOf(image, (int) Math.min(image.length, ch.truncateTo()));
          }
          lastCut.append(" trunc@").append(ch.truncateTo()).append(kept ? "+" : "-");
          continue;
        }
        lastCut.append(" w@").append(ch.position() / SECTOR).append('+')
            .append(ch.bytes().length).append('[');
        long sectors = (ch.position() + ch.bytes().length - 1) / SECTOR - ch.position() / SECTOR
            + 1;
        long tornAt = random.nextLong(sectors); // the sectors of the torn write that landed
        long sector = 0;
        for (long at = ch.position(); at < ch.position() + ch.bytes().length; sector++) {
          long end = Math.min(ch.position() + ch.bytes().length, (at / SECTOR + 1) * SECTOR);
          boolean kept = switch (fate) {
            case ALL_LOST -> false;
            case ALL_KEPT -> true;
            case REORDERED -> random.nextDouble() < keep;
            case TORN_PREFIX -> i < prefix || (i == prefix && sector < tornAt);
          };
          if (kept) {
            image = put(image, at, ch.bytes(), (int) (at - ch.position()), (int) (end - at));
          }
          lastCut.append(kept ? '+' : '-');
          at = end;
        }
        lastCut.append(']');
      }
      Files.write(e.getKey(), image);
    }
    files.clear();
    countdown = Long.MAX_VALUE;
    down = false;
  }

  /** What the last cut kept ('+') and lost ('-') of each change, sector by sector. */
  synchronized String lastCut() {
    return lastCut.toString();
  }

  @Override
  public synchronized void write(Path file, long position, ByteBuffer bytes) throws IOException {
    tick();
    byte[] b = new byte[bytes.remaining()];
    bytes.get(b);
    cached(file).changes.add(new Change(position, b, -1));
  }

  @Override
  public synchronized void force(Path file) throws IOException {
    tick();
    syncs++;
    Cached c = cached(file);
    settle(c);
  }

  @Override
  public synchronized void truncate(Path file, long size) throws IOException {
    tick();
    cached(file).changes.add(new Change(0, null, size));
  }

  @Override
  public synchronized void delete(Path file) {
    files.remove(file);
  }

  private void tick() throws IOException {
    if (!down && --countdown <= 0) {
      down = true;
    }
    if (down) {
      throw new IOException("simulated power cut: the disk is gone");
    }
    operations++;
  }

  private Cached cached(Path file) throws IOException {
    Cached c = files.get(file);
    if (c == null) {
      c = new Cached(Files.exists(file) ? Files.readAllBytes(file) : new byte[0]);
      files.put(file, c);
    }
    return c;
  }

  private static void settle(Cached c) {
    for (Change ch : c.changes) {
      c.platter = ch.bytes() == null
          ? Arrays.copyOf(c.platter, (int) Math.min(c.platter.length, ch.truncateTo()))
          : put(c.platter, ch.position(), ch.bytes(), 0, ch.bytes().length);
    }
    c.changes.clear();
  }

  private static byte[] put(byte[] image, long at, byte[] src, int from, int len) {
    byte[] out = at + len > image.length ? Arrays.copyOf(image, (int) (at + len)) : image;
    System.arraycopy(src, from, out, (int) at, len);
    return out;
  }
}
