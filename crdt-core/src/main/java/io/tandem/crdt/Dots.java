package io.tandem.crdt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * A small immutable set of dots, as the value an element of an {@link OrSet} maps to. A single
 * dot, by far the common case, is stored as the {@link Dot} itself; this class holds two or more,
 * or none (a marker in a delta). The static methods work on either form.
 */
final class Dots {

  static final Dots NONE = new Dots(new Dot[0]);

  private final Dot[] dots; // sorted, distinct

  private Dots(Dot[] dots) {
    this.dots = dots;
  }

  /** The canonical form of a sorted, distinct array. */
  private static Object wrap(Dot[] sorted, int n) {
    if (n == 0) {
      return NONE;
    }
    if (n == 1) {
      return sorted[0];
    }
    return new Dots(n == sorted.length ? sorted : Arrays.copyOf(sorted, n));
  }

  static Object of(Collection<Dot> dots) {
    Dot[] a = dots.toArray(new Dot[0]);
    Arrays.sort(a);
    int n = 0;
    for (Dot d : a) {
      if (n == 0 || !a[n - 1].equals(d)) {
        a[n++] = d;
      }
    }
    return wrap(a, n);
  }

  static boolean isEmpty(Object s) {
    return s == NONE;
  }

  static int size(Object s) {
    return s instanceof Dot ? 1 : ((Dots) s).dots.length;
  }

  static void forEach(Object s, Consumer<Dot> action) {
    if (s instanceof Dot d) {
      action.accept(d);
    } else {
      for (Dot d : ((Dots) s).dots) {
        action.accept(d);
      }
    }
  }

  static List<Dot> list(Object s) {
    if (s instanceof Dot d) {
      return List.of(d);
    }
    return Collections.unmodifiableList(Arrays.asList(((Dots) s).dots));
  }

  static boolean contains(Object s, Dot dot) {
    return s instanceof Dot d ? d.equals(dot) : Arrays.binarySearch(((Dots) s).dots, dot) >= 0;
  }

  /** The dots of {@code s} and {@code dot}, which is not among them. */
  static Object with(Object s, Dot dot) {
    List<Dot> all = new ArrayList<>(size(s) + 1);
    forEach(s, all::add);
    all.add(dot);
    return of(all);
  }

  /** The dots of {@code s} not in {@code seen}: joining with bottom under {@code seen}. */
  static Object keepUnseen(Object s, CausalContext seen) {
    if (s instanceof Dot d) {
      return seen.contains(d) ? NONE : d;
    }
    Dot[] a = ((Dots) s).dots;
    Dot[] r = new Dot[a.length];
    int n = 0;
    for (Dot d : a) {
      if (!seen.contains(d)) {
        r[n++] = d;
      }
    }
    return n == a.length ? s : wrap(r, n);
  }

  /** Dots in both, plus those of each side the other has not seen. */
  static Object join(Object l, CausalContext cl, Object r, CausalContext cr) {
    if (l.equals(r)) {
      return l;
    }
    List<Dot> out = new ArrayList<>(size(l) + size(r));
    forEach(l, d -> {
      if (contains(r, d) || !cr.contains(d)) {
        out.add(d);
      }
    });
    forEach(r, d -> {
      if (!contains(l, d) && !cl.contains(d)) {
        out.add(d);
      }
    });
    return of(out);
  }

  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof Dots d && Arrays.equals(dots, d.dots);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dots);
  }

  @Override
  public String toString() {
    return Arrays.toString(dots);
  }
}
