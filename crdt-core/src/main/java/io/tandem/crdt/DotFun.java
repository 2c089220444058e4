package io.tandem.crdt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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

  /*
   * Almost every map value was last written by one update, so the store holds one entry; it
   * keeps that entry in two fields of its own rather than in a DotEntries and its two arrays
   * (64 bytes less per map entry). The form is canonical: exactly one entry is always held in
   * the fields, so equals can compare field by field.
   */

  private final DotEntries many; // null when the store holds exactly one entry
  private final Dot dot; // the one entry's dot, when many is null
  private final Object one; // the one entry's value, a V, when many is null
  private final int kind;

  private DotFun(Dot dot, Object value, int kind) {
    this.many = null;
    this.dot = dot;
    this.one = value;
    this.kind = kind;
  }

  private DotFun(DotEntries many, int kind) {
    this.many = many;
    this.dot = null;
    this.one = null;
    this.kind = kind;
  }

  /** The canonical store for {@code entries}: fields for one entry, the entries otherwise. */
  private static DotFun<?> of(DotEntries entries, int kind) {
    return entries.size() == 1 ? new DotFun<>(entries.dots[0], entries.values[0], kind)
        : new DotFun<>(entries, kind);
  }

  /** The dot of the one entry, or null when there are several. */
  Dot onlyDot() {
    return dot;
  }

  static DotFun<?> single(Dot dot, Object value) {
    return new DotFun<>(dot, value, kindOf(value));
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
    @SuppressWarnings("unchecked")
    DotFun<V> f = (DotFun<V>) of(DotEntries.of(dots, values, join()), kind);
    return f;
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

  /** The entries as sorted arrays, made on the fly for the one-entry form. */
  private DotEntries asEntries() {
    return many != null ? many : DotEntries.of(dot, one);
  }

  /** The join of every entry's value. */
  @SuppressWarnings("unchecked")
  public V value() {
    if (many == null) {
      return (V) one;
    }
    V v = null;
    for (Object o : many.values) {
      v = v == null ? (V) o : v.merge((V) o);
    }
    return v;
  }

  /** Each entry's value under its dot, in dot order. */
  @SuppressWarnings("unchecked")
  public Map<Dot, V> entries() {
    if (many == null) {
      return Collections.singletonMap(dot, (V) one);
    }
    Map<Dot, V> m = new LinkedHashMap<>();
    for (int i = 0; i < many.dots.length; i++) {
      m.put(many.dots[i], (V) many.values[i]);
    }
    return Collections.unmodifiableMap(m);
  }

  List<Dot> dots() {
    return many == null ? List.of(dot) : many.dotList();
  }

  @Override
  int kind() {
    return kind;
  }

  @Override
  DotStore joinStore(CausalContext mine, DotStore other, CausalContext theirs) {
    DotFun<?> o = (DotFun<?>) other;
    if (many == null && o.many == null && dot.equals(o.dot)) {
      // The same update on both sides, the common case of a full merge.
      Object v = one == o.one ? one : mergeValues(one, o.one);
      return v.equals(one) ? this : new DotFun<>(dot, v, kind);
    }
    DotEntries mineE = asEntries();
    DotEntries e = mineE.join(mine, o.asEntries(), theirs, join());
    return e == mineE ? this : of(e, kind);
  }

  @Override
  DotStore keepUnseen(CausalContext seen) {
    if (many == null) {
      return seen.contains(dot) ? new DotFun<>(DotEntries.EMPTY, kind) : this;
    }
    DotEntries e = many.keepUnseen(seen);
    return e == many ? this : of(e, kind);
  }

  @Override
  boolean isBottom() {
    return many != null && many.isEmpty();
  }

  @Override
  void forEachDot(Consumer<Dot> action) {
    if (many == null) {
      action.accept(dot);
    } else {
      many.forEachDot(action);
    }
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
    return o == this || o instanceof DotFun<?> f && kind == f.kind
        && Objects.equals(many, f.many) && Objects.equals(dot, f.dot) && Objects.equals(one, f.one);
  }

  @Override
  public int hashCode() {
    return 31 * kind + Objects.hash(many, dot, one);
  }

  @Override
  public String toString() {
    return "DotFun" + asEntries();
  }
}
