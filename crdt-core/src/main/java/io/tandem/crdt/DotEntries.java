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
    List<Dot> d = new ArrayList<>(dots.length + other.dots.length);
    List<Object> v = new ArrayList<>(d.size());
    int i = 0;
    int j = 0;
    while (i < dots.length || j < other.dots.length) {
      int c = i == dots.length ? 1 : j == other.dots.length ? -1 : dots[i].compareTo(other.dots[j]);
      if (c == 0) {
        d.add(dots[i]);
        v.add(values[i] == other.values[j] ? values[i] : combine.apply(values[i], other.values[j]));
        i++;
        j++;
      } else if (c < 0) {
        if (!theirs.contains(dots[i])) {
          d.add(dots[i]);
          v.add(values[i]);
        }
        i++;
      } else {
        if (!mine.contains(other.dots[j])) {
          d.add(other.dots[j]);
          v.add(other.values[j]);
        }
        j++;
      }
    }
    DotEntries r = d.isEmpty() ? EMPTY : new DotEntries(d.toArray(new Dot[0]), v.toArray());
    return r.equals(this) ? this : r;
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
