package io.tandem.crdt;

import java.util.Arrays;

/**
 * The {@link LwwRegister} of each entry of a big {@link OrMap}'s {@link FlatTable}, packed in
 * columns beside the table's own: a timestamp's wall time, logical counter and writer (an index
 * into the table's replicas), and the value's bytes in a pool of their own.
 */
final class FlatRegisters {

  /*
   * The pool is append-only: a new value for an entry is appended and its old bytes become waste,
   * so bytes once written never change and the table can take back its last entry (which only
   * cuts its key pool) without moving a value. The waste is counted, and a table whose waste
   * outgrows its live bytes is due for a copy (FlatTable.isDue), which packs the live values
   * afresh. Values are packed as PackedScalars writes them, so equal bytes are equal values.
   */

  private long[] walls;
  private int[] logicals;
  private int[] writers;
  private int[] valueAt;
  private byte[] pool = new byte[64];
  private int length;
  private int waste;

  FlatRegisters(int capacity) {
    walls = new long[capacity];
    logicals = new int[capacity];
    writers = new int[capacity];
    valueAt = new int[capacity];
  }

  /** Room for {@code capacity} entries. */
  void grow(int capacity) {
    walls = Arrays.copyOf(walls, capacity);
    logicals = Arrays.copyOf(logicals, capacity);
    writers = Arrays.copyOf(writers, capacity);
    valueAt = Arrays.copyOf(valueAt, capacity);
  }

  /** Whether {@code register} can be packed: written, so it has a timestamp and a value. */
  static boolean fits(Object register) {
    return register instanceof LwwRegister<?> r && !r.isEmpty();
  }

  /**
   * Packs a register (one that {@link #fits}) as entry {@code i}'s: written at {@code ts},
   * {@code writer} the index of ts's replica, holding {@code v}.
   */
  void set(int i, Hlc ts, int writer, Object v) {
    int n = PackedScalars.size(v);
    if (length + n > pool.length) {
      pool = Arrays.copyOf(pool, Math.max(pool.length * 2, length + n));
    }
    walls[i] = ts.wallMillis();
    logicals[i] = ts.logical();
    writers[i] = writer;
    valueAt[i] = length;
    length = PackedScalars.write(v, pool, length);
  }

  /** Entry {@code i}'s register is gone or replaced: its bytes are waste. */
  void drop(int i) {
    waste += PackedScalars.length(pool, valueAt[i]);
  }

  /** Entry {@code i}'s register, rebuilt, its writer being {@code writer}. */
  LwwRegister<Object> get(int i, ReplicaId writer) {
    return LwwRegister.at(walls[i], logicals[i], writer, PackedScalars.read(pool, valueAt[i]));
  }

  int writer(int i) {
    return writers[i];
  }

  /** Whether entry {@code i} here and {@code j} of {@code other} have one timestamp and value. */
  boolean same(int i, FlatRegisters other, int j) {
    int from = valueAt[i];
    int to = from + PackedScalars.length(pool, from);
    int oFrom = other.valueAt[j];
    return walls[i] == other.walls[j] && logicals[i] == other.logicals[j]
        && Arrays.equals(pool, from, to, other.pool, oFrom,
            oFrom + PackedScalars.length(other.pool, oFrom));
  }

  /** Whether more of the pool is waste than live bytes (and at least 64 KiB of it). */
  boolean isWasteful() {
    return waste > 1 << 16 && waste > length - waste;
  }

  /**
   * A copy for a table of {@code count} entries, of which those with {@code packed} true hold a
   * register; the values are packed afresh when the pool is mostly waste.
   */
  FlatRegisters copy(int count, int capacity, boolean[] packed) {
    FlatRegisters c = new FlatRegisters(capacity);
    System.arraycopy(walls, 0, c.walls, 0, count);
    System.arraycopy(logicals, 0, c.logicals, 0, count);
    System.arraycopy(writers, 0, c.writers, 0, count);
    if (waste == 0) {
      System.arraycopy(valueAt, 0, c.valueAt, 0, count);
      c.pool = Arrays.copyOf(pool, Math.max(length, 64));
      c.length = length;
      return c;
    }
    int live = 0;
    for (int i = 0; i < count; i++) {
      live += packed[i] ? PackedScalars.length(pool, valueAt[i]) : 0;
    }
    c.pool = new byte[Math.max(live, 64)];
    for (int i = 0; i < count; i++) {
      if (packed[i]) {
        int n = PackedScalars.length(pool, valueAt[i]);
        System.arraycopy(pool, valueAt[i], c.pool, c.length, n);
        c.valueAt[i] = c.length;
        c.length += n;
      }
    }
    return c;
  }
}
