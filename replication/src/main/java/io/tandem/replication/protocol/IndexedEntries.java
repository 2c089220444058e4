package io.tandem.replication.protocol;

import java.util.Arrays;

/**
 * Vector entries whose origins are named by their position in a dictionary both peers hold
 * (the sorted origins of a base vector), so an entry costs two or three bytes instead of ten.
 * Positions ascend strictly; counters are absolute and at least 1. Which dictionary is meant is
 * said by the message that carries them; a receiver without it ignores them, which only delays.
 */
public final class IndexedEntries {

  public static final IndexedEntries NONE = new IndexedEntries(new int[0], new long[0]);

  private final int[] indices;
  private final long[] counters;

  private IndexedEntries(int[] indices, long[] counters) {
    this.indices = indices;
    this.counters = counters;
  }

  /**
   * @throws IllegalArgumentException if positions do not ascend, one is negative, a counter is
   *     below 1, or the arrays differ in length
   */
  public static IndexedEntries of(int[] indices, long[] counters) {
    if (indices.length != counters.length) {
      throw new IllegalArgumentException("indices and counters differ in length");
    }
    for (int i = 0; i < indices.length; i++) {
      if (indices[i] < 0 || i > 0 && indices[i] <= indices[i - 1]) {
        throw new IllegalArgumentException("dictionary positions must ascend");
      }
      if (counters[i] < 1) {
        throw new IllegalArgumentException("counter " + counters[i] + " below 1");
      }
    }
    return indices.length == 0 ? NONE
        : new IndexedEntries(indices.clone(), counters.clone());
  }

  public int size() {
    return indices.length;
  }

  public boolean isEmpty() {
    return indices.length == 0;
  }

  public int indexAt(int i) {
    return indices[i];
  }

  public long counterAt(int i) {
    return counters[i];
  }

  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof IndexedEntries e
        && Arrays.equals(indices, e.indices) && Arrays.equals(counters, e.counters);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(indices) + Arrays.hashCode(counters);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < indices.length; i++) {
      b.append(i > 0 ? ", " : "").append('#').append(indices[i]).append('=').append(counters[i]);
    }
    return b.append('}').toString();
  }
}
