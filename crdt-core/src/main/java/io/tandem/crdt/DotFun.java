package io.tandem.crdt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.Consumer;

/**
 * How an {@link OrMap} holds a CRDT that has no dots of its own ({@link LwwRegister},
 * {@link GCounter}, {@link PnCounter}): a dot function from the dot of each update to the value
 * it left. Its value is the join of those values.
 *
 * <p>An update takes a fresh dot and replaces the dots it has seen with one entry holding the
 * updated value. Removing the map key drops the dots seen; an update made concurrently keeps its
 * own dot and value. So a concurrent update and removal keep the update, as for any map value.
 *
 * @param <V> the embedded CRDT
 */
public final class DotFun<V extends Crdt<V>> extends DotStore {

  private final DotEntries entries; // values are V
  private final int kind;

  private DotFun(DotEntries entries, int kind) {
    this.entries = entries;
    this.kind = kind;
  }

  static DotFun<?> single(Dot dot, Object value) {
    return new DotFun<>(DotEntries.of(dot, value), kindOf(value));
  }

  /**
   * Rebuilds a dot function from its entries.
   *
   * @throws IllegalArgumentException if it is empty, or the values are not all of one embeddable
   *     type
   */
  public static <V extends Crdt<V>> DotFun<V> of(Map<Dot, V> entries) {
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("a dot function needs at least one entry");
    }
    int kind = -1;
    List<Dot> dots = new ArrayList<>();
    List<Object> values = new ArrayList<>();
    for (Map.Entry<Dot, V> e : entries.entrySet()) {
      int k = kindOf(e.getValue());
      if (kind != -1 && k != kind) {
        throw new IllegalArgumentException("mixed value types in one dot function");
      }
      kind = k;
      dots.add(e.getKey());
      values.add(e.getValue());
    }
    return new DotFun<>(DotEntries.of(dots, values, join()), kind);
  }

  /** Whether {@code value} is a CRDT that a map holds through a dot function. */
  static boolean embeds(Object value) {
    return value instanceof LwwRegister || value instanceof GCounter
        || value instanceof PnCounter;
  }

  static int kindOf(Object value) {
    if (value instanceof LwwRegister) {
      return 10;
    }
    if (value instanceof GCounter) {
      return 11;
    }
    if (value instanceof PnCounter) {
      return 12;
    }
    throw new IllegalArgumentException("cannot hold " + value.getClass().getName()
        + " in a map: use OrSet, MvRegister, OrMap, LwwRegister, GCounter or PnCounter");
  }

  private static BinaryOperator<Object> join() {
    return DotFun::mergeValues;
  }

  /** The join of two values of one embeddable kind. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static Object mergeValues(Object a, Object b) {
    return ((Crdt) a).merge((Crdt) b);
  }

  /** The join of every entry's value. */
  @SuppressWarnings("unchecked")
  public V value() {
    V v = null;
    for (Object o : entries.values) {
      v = v == null ? (V) o : v.merge((V) o);
    }
    return v;
  }

  /** Each entry's value under its dot, in dot order. */
  @SuppressWarnings("unchecked")
  public Map<Dot, V> entries() {
    Map<Dot, V> m = new LinkedHashMap<>();
    for (int i = 0; i < entries.dots.length; i++) {
      m.put(entries.dots[i], (V) entries.values[i]);
    }
    return Collections.unmodifiableMap(m);
  }

  List<Dot> dots() {
    return entries.dotList();
  }

  @Override
  int kind() {
    return kind;
  }

  @Override
  DotStore joinStore(CausalContext mine, DotStore other, CausalContext theirs) {
    DotEntries e = entries.join(mine, ((DotFun<?>) other).entries, theirs, join());
    return e == entries ? this : new DotFun<>(e, kind);
  }

  @Override
  DotStore keepUnseen(CausalContext seen) {
    DotEntries e = entries.keepUnseen(seen);
    return e == entries ? this : new DotFun<>(e, kind);
  }

  @Override
  boolean isBottom() {
    return entries.isEmpty();
  }

  @Override
  void forEachDot(Consumer<Dot> action) {
    entries.forEachDot(action);
  }

  @Override
  DotStore detach() {
    return this;
  }

  @Override
  Object attach(CausalContext context) {
    return value();
  }

  @Override
  CausalContext ctx() {
    return CausalContext.empty();
  }

  @Override
  boolean complete() {
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof DotFun<?> f && kind == f.kind && entries.equals(f.entries);
  }

  @Override
  public int hashCode() {
    return 31 * kind + entries.hashCode();
  }

  @Override
  public String toString() {
    return "DotFun" + entries;
  }
}
