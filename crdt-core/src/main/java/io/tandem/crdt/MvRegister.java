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
 * Multi-value register: keeps every value written concurrently, so an app can show them and let
 * the person pick one. {@code merge} is the join: commutative, associative, idempotent. A write
 * replaces the values it has seen; values written concurrently with it stay beside it.
 *
 * <pre>{@code
 * MvRegister<String> d = title.assign(self, "Groceries");
 * title = title.merge(d);
 * title.values(); // ["Groceries"], or several after concurrent writes
 * }</pre>
 *
 * @param <T> value type: one of the scalars {@link Values} supports
 */
public final class MvRegister<T> extends DotStore implements Crdt<MvRegister<T>> {

  /*
   * Each value sits under the dot of the write that put it there. A write takes a fresh dot and
   * its delta's context holds the dots it overwrites, so merging drops exactly the values the
   * writer had seen [1]. Two writes that did not see each other both survive.
   *
   * [1] Almeida, Shoker, Baquero, Delta State Replicated Data Types, 2018
   */

  private static final MvRegister<?> EMPTY =
      new MvRegister<>(DotEntries.EMPTY, CausalContext.empty(), false);

  /** The same dot never carries two values unless someone forged one; pick one everywhere. */
  static final BinaryOperator<Object> SAME_DOT =
      (a, b) -> Values.compare(a, b) >= 0 ? a : b;

  private final DotEntries entries;
  private final CausalContext context;
  private final boolean delta;

  private MvRegister(DotEntries entries, CausalContext context, boolean delta) {
    this.entries = entries;
    this.context = context;
    this.delta = delta;
  }

  @SuppressWarnings("unchecked")
  public static <T> MvRegister<T> empty() {
    return (MvRegister<T>) EMPTY;
  }

  /**
   * Writes {@code value} as replica {@code self}, replacing every value seen here.
   *
   * @return the delta; the state is unchanged
   */
  public MvRegister<T> assign(ReplicaId self, T value) {
    Values.check(value);
    Dot dot = context.nextDot(self);
    List<Dot> seen = new ArrayList<>(entries.dotList());
    seen.add(dot);
    return new MvRegister<>(DotEntries.of(dot, value), CausalContext.ofDots(seen), true);
  }

  /**
   * Clears the register: the values seen here go, values written concurrently stay.
   *
   * @return the delta; the state is unchanged
   */
  public MvRegister<T> clear() {
    return new MvRegister<>(DotEntries.EMPTY, CausalContext.ofDots(entries.dotList()), true);
  }

  @Override
  public MvRegister<T> merge(MvRegister<T> other) {
    if (other == this) {
      return this;
    }
    DotEntries e = entries.join(context, other.entries, other.context, SAME_DOT);
    CausalContext c = context.merge(other.context);
    boolean d = delta && other.delta;
    return e == entries && c == context && d == delta ? this : new MvRegister<>(e, c, d);
  }

  /** The distinct values present, in the order of the dots that wrote them. */
  @SuppressWarnings("unchecked")
  public List<T> values() {
    List<T> out = new ArrayList<>(entries.size());
    for (Object v : entries.values) {
      if (!out.contains(v)) {
        out.add((T) v);
      }
    }
    return Collections.unmodifiableList(out);
  }

  /** The single value, or, after concurrent writes, the greatest in {@link Values} order. */
  @SuppressWarnings("unchecked")
  public T value() {
    Object best = null;
    for (Object v : entries.values) {
      best = best == null ? v : SAME_DOT.apply(best, v);
    }
    return (T) best;
  }

  /** Whether concurrent writes left more than one distinct value. */
  public boolean isConflicted() {
    return values().size() > 1;
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  public CausalContext context() {
    return context;
  }

  /** Whether this value is a delta as mutators produce it. */
  public boolean isDelta() {
    return delta;
  }

  /** Each present value under the dot of its write, in dot order (for codecs and tools). */
  @SuppressWarnings("unchecked")
  public Map<Dot, T> entries() {
    Map<Dot, T> m = new LinkedHashMap<>();
    for (int i = 0; i < entries.dots.length; i++) {
      m.put(entries.dots[i], (T) entries.values[i]);
    }
    return Collections.unmodifiableMap(m);
  }

  /**
   * Rebuilds a register from its parts.
   *
   * @throws IllegalArgumentException if a dot is missing from the context or a value is not a
   *     supported scalar
   */
  public static <T> MvRegister<T> restore(Map<Dot, T> entries, CausalContext context,
      boolean delta) {
    List<Dot> dots = new ArrayList<>();
    List<Object> values = new ArrayList<>();
    entries.forEach((d, v) -> {
      if (!context.contains(d)) {
        throw new IllegalArgumentException("dot " + d + " is not in the context");
      }
      dots.add(Objects.requireNonNull(d));
      values.add(Values.check(v));
    });
    return new MvRegister<>(DotEntries.of(dots, values, SAME_DOT), context, delta);
  }

  // --- dot store ---

  @Override
  int kind() {
    return 1;
  }

  @Override
  DotStore joinStore(CausalContext mine, DotStore other, CausalContext theirs) {
    DotEntries e = entries.join(mine, ((MvRegister<?>) other).entries, theirs, SAME_DOT);
    return e == entries ? this : new MvRegister<>(e, CausalContext.empty(), false);
  }

  @Override
  DotStore keepUnseen(CausalContext seen) {
    DotEntries e = entries.keepUnseen(seen);
    return e == entries ? this : new MvRegister<>(e, CausalContext.empty(), false);
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
    return context.isEmpty() && !delta ? this
        : new MvRegister<>(entries, CausalContext.empty(), false);
  }

  @Override
  Object attach(CausalContext ctx) {
    return new MvRegister<>(entries, ctx, false);
  }

  /** Equal when values, dots and contexts are equal; being a delta does not count. */
  @Override
  CausalContext ctx() {
    return context;
  }

  @Override
  boolean complete() {
    return delta;
  }

  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof MvRegister<?> r
        && entries.equals(r.entries) && context.equals(r.context);
  }

  @Override
  public int hashCode() {
    return Objects.hash(entries, context);
  }

  @Override
  public String toString() {
    return "MvRegister" + entries + "@" + context;
  }
}
