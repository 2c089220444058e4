package io.tandem.crdt;

import java.util.Arrays;

/**
 * The changes that turn one {@link FlatTable} content into another: what an older
 * {@link FlatSet} version keeps of the way back from its successor. Applying a log returns the
 * log of the way forth again, which is all that rerooting needs.
 */
final class FlatLog {

  private static final int REMOVE_LAST = -1;
  private static final int INSERT = -2;

  /*
   * The way back from an insert, the change a growing set makes on every add, is the same for
   * every insert: take the last entry back. So one log serves them all, never written after it
   * is made, and an add costs no log of its own. Only logs that an Edit or applyTo is still
   * writing are ever changed; a log that a version holds is only read.
   */
  private static final FlatLog TAKE_BACK_LAST = new FlatLog();

  static {
    TAKE_BACK_LAST.removeLast();
  }

  /** The way back from one insert: a shared log, which nobody may write to. */
  static FlatLog takeBackLast() {
    return TAKE_BACK_LAST;
  }

  private int size;
  // The first change inline: most logs, an add's or its way back, hold one change and no array.
  private int firstCode;
  private Object firstDots;
  private byte[] firstKey; // INSERT only
  private int firstHash; // INSERT only
  private int[] codes; // from the second change on: an entry number (set its dots), or a code
  private Object[] dots; // the dots to set or insert
  private byte[][] keys; // INSERT only: the element's bytes
  private int[] hashes; // INSERT only

  boolean isEmpty() {
    return size == 0;
  }

  /** The number of changes. */
  int size() {
    return size;
  }

  /** Entry {@code i} is to get {@code old} back (null: dead). */
  void set(int i, Object old) {
    add(i, old);
  }

  /** The last entry appended is to go. */
  void removeLast() {
    add(REMOVE_LAST, null);
  }

  private void insert(int hash, byte[] key, Object d) {
    int at = size;
    if (at == 0) {
      firstKey = key;
      firstHash = hash;
    } else if (keys == null) {
      keys = new byte[Math.max(4, at + 1)][];
      hashes = new int[keys.length];
    } else if (at >= keys.length) {
      keys = Arrays.copyOf(keys, Math.max(at + 1, keys.length * 2));
      hashes = Arrays.copyOf(hashes, keys.length);
    }
    add(INSERT, d);
    if (at > 0) {
      keys[at] = key;
      hashes[at] = hash;
    }
  }

  private void add(int code, Object d) {
    if (size == 0) {
      firstCode = code;
      firstDots = d;
      size = 1;
      return;
    }
    if (codes == null) {
      codes = new int[4];
      dots = new Object[4];
    } else if (size - 1 == codes.length) {
      int n = codes.length * 2;
      codes = Arrays.copyOf(codes, n);
      dots = Arrays.copyOf(dots, n);
    }
    codes[size - 1] = code;
    dots[size - 1] = d;
    size++;
  }

  private int code(int k) {
    return k == 0 ? firstCode : codes[k - 1];
  }

  private Object dots(int k) {
    return k == 0 ? firstDots : dots[k - 1];
  }

  /**
   * Applies this log to {@code table}, last change first (it was written in the order the
   * changes it undoes were made), and returns the log that undoes this application.
   */
  FlatLog applyTo(FlatTable table) {
    FlatLog back = new FlatLog();
    for (int k = size - 1; k >= 0; k--) {
      int code = code(k);
      if (code >= 0) {
        back.set(code, table.dots(code));
        table.setDots(code, dots(k));
      } else if (code == REMOVE_LAST) {
        int e = table.count - 1;
        back.insert(table.hash(e), table.bytes(e), table.dots(e));
        table.removeLast();
      } else {
        byte[] key = k == 0 ? firstKey : keys[k];
        table.insert(k == 0 ? firstHash : hashes[k], key, 0, key.length, dots(k));
        back.removeLast();
      }
    }
    return back;
  }
}
