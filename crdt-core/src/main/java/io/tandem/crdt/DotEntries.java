package io.tandem.crdt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.Consumer;

/**
 * A small immutable dot function, dot to value, as sorted parallel arrays: the store of an
 * {@link MvRegister} and of a {@link DotFun}. Both hold a value per concurrent writer, so a
 * handful of entries at most; arrays beat any map there.
 */
final class DotEntries {

  static final DotEntries EMPTY = new DotEntries(new Dot[0], new Object[0]);

  final Dot[] dots; // sorted, distinct
  final Object[] values;

  private DotEntries(Dot[] dots, Object[] values) {
    this.dots = dots;
    this.values = values;
  }

  static DotEntries of(Dot dot, Object value) {
    return new DotEntries(new Dot[] {dot}, new Object[] {value});
  }

  /** Entries from unsorted lists; a repeated dot keeps the combination of its values. */
  static DotEntries of(List<Dot> dots, List<Object> values, BinaryOperator<Object> combine) {
    Integer[] order = new Integer[dots.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> dots.get(a).compareTo(dots.get(b)));
    List<Dot> d = new ArrayList<>();
    List<Object> v = new ArrayList<>();
    for (int i : order) {
      if (!d.isEmpty() && d.get(d.size() - 1).equals(dots.get(i))) {
        v.set(v.size() - 1, combine.apply(v.get(v.size() - 1), values.get(i)));
      } else {
        d.add(dots.get(i));
        v.add(values.get(i));
      }
    }
    return d.isEmpty() ? EMPTY : new DotEntries(d.toArray(new Dot[0]), v.toArray());
  }

  boolean isEmpty() {
    return dots.length == 0;
  }

  int size() {
    return dots.length;
  }

  void forEachDot(Consumer<Dot> action) {
    for (Dot d : dots) {
      action.accept(d);
    }
  }

  List<Dot> dotList() {
    return List.of(dots);
  }

  /** Entries in both (values combined), plus each side's entries the other has not seen. */
  DotEntries join(CausalContext mine, DotEntries other, CausalContext theirs,
      BinaryOperator<Object> combine) {
    if (other == this) {
      return this;
    }
    Dot[] d = new Dot[dots.length + other.dots.length];
    Object[] v = new Object[d.length];
    int n = 0;
    // Whether the result is this, entry for entry: then this is returned, not a copy, and no
    // comparison of the two is needed afterwards (it cost a merge of received deltas 5 %).
    boolean same = true;
    int i = 0;
    int j = 0;
    while (i < dots.length || j < other.dots.length) {
      int c = i == dots.length ? 1 : j == other.dots.length ? -1 : dots[i].compareTo(other.dots[j]);
      if (c == 0) {
        Object joined = values[i] == other.values[j] ? values[i]
            : combine.apply(values[i], other.values[j]);
        same &= joined == values[i] || joined.equals(values[i]);
        d[n] = dots[i];
        v[n++] = joined;
        i++;
        j++;
      } else if (c < 0) {
        if (theirs.contains(dots[i])) {
          same = false;
        } else {
          d[n] = dots[i];
          v[n++] = values[i];
        }
        i++;
      } else {
        if (!mine.contains(other.dots[j])) {
          same = false;
          d[n] = other.dots[j];
          v[n++] = other.values[j];
        }
        j++;
      }
    }
    if (same) {
      return this;
    }
    return n == 0 ? EMPTY : new DotEntries(Arrays.copyOf(d, n), Arrays.copyOf(v, n));
  }

  DotEntries keepUnseen(CausalContext seen) {
    for (Dot d : dots) {
      if (seen.contains(d)) {
        return join(CausalContext.empty(), EMPTY, seen, (a, b) -> a);
      }
    }
    return this;
  }

  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof DotEntries e
        && Arrays.equals(dots, e.dots) && Arrays.equals(values, e.values);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(dots) + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < dots.length; i++) {
      b.append(i == 0 ? "" : ", ").append(dots[i]).append('=').append(values[i]);
    }
    return b.append('}').toString();
  }
}
