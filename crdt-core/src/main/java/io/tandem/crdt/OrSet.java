package io.tandem.crdt;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Add-wins observed-remove set. {@code merge} is the join: commutative, associative, idempotent.
 * A concurrent add and remove of the same element keep the element. Removed elements leave no
 * tombstone: the causal context remembers what was seen.
 *
 * <pre>{@code
 * OrSet<String> delta = tags.add(self, "work");
 * tags = tags.merge(delta);
 * }</pre>
 *
 * @param <E> element type: one of the scalars {@link Values} supports
 */
public final class OrSet<E> extends DotStore implements Crdt<OrSet<E>> {

  /*
   * Each element maps to the dots of the adds that put it there and that no remove has seen yet
   * [2]. An add takes a fresh dot and supersedes the element's dots it observed, so an element
   * holds one dot per concurrent adder, usually just one. A remove's delta carries no dot of its
   * own, only a context holding the dots it removes; merging drops any dot that the other side's
   * context covers and its store lacks. So after any number of add/remove cycles the state is
   * the live elements plus a context that compacts to one counter per replica [1].
   *
   * A state of more than PACK_AT elements keeps them in a FlatSet (elements packed as bytes in
   * flat arrays, persistent by rerooting) instead of a HashTrie, from the first add merged into
   * it: an add then changes a table in place instead of copying a trie path, and the state holds
   * no String object per element. Deltas and small states stay tries. Exactly one of entries and
   * flat is set, except in the delta of an add that supersedes nothing, the delta nearly every
   * add makes: it holds its element and its dot alone (added, addDot), and builds its one-entry
   * trie and its context, which is that one dot, only if something asks for them. That delta is
   * made and merged once per add, and a merge into a state needs only its element and dot: the
   * trie and the context (five objects, 120 B) would cost every add more than all the rest of
   * its delta. The two fields make every OrSet 8 B larger (40 B instead of 32).
   *
   * [1] Almeida, Shoker, Baquero, Delta State Replicated Data Types, 2018
   * [2] Bieniusa et al., An Optimized Conflict-free Replicated Set, 2012
   */

  /** The size from which a state's entries are packed; tests lower it to cover the flat form. */
  static int packAt = Integer.getInteger("tandem.orSetPackAt", 256);

  private static final OrSet<?> EMPTY =
      new OrSet<>(HashTrie.empty(), CausalContext.empty(), false);

  static final DotMaps.Slots SLOTS = new DotMaps.Slots() {
    @Override
    public Object join(Object l, CausalContext cl, boolean lc, Object r, CausalContext cr,
        boolean rc) {
      return Dots.join(l, cl, r, cr);
    }

    @Override
    public Object keepUnseen(Object s, CausalContext seen) {
      return Dots.keepUnseen(s, seen);
    }

    @Override
    public boolean isEmpty(Object s) {
      return Dots.isEmpty(s);
    }

    @Override
    public Object marker() {
      return Dots.NONE;
    }
  };

  private final HashTrie<E, Object> entries; // element -> Dot | Dots (Dots.NONE only in deltas)
  private final FlatSet flat; // the same, packed, for big states
  private final E added; // the element of an add's delta that supersedes nothing
  private final Dot addDot; // and its dot; such a delta has no context field (null)
  private final CausalContext context;
  private final boolean delta;

  private OrSet(HashTrie<E, Object> entries, FlatSet flat, E added, Dot addDot,
      CausalContext context, boolean delta) {
    this.entries = entries;
    this.flat = flat;
    this.added = added;
    this.addDot = addDot;
    this.context = context;
    this.delta = delta;
  }

  private OrSet(HashTrie<E, Object> entries, CausalContext context, boolean delta) {
    this(entries, null, null, null, context, delta);
  }

  private OrSet(FlatSet flat, CausalContext context) {
    this(null, flat, null, null, context, false);
  }

  /** The delta of an add of {@code element} as {@code dot} that supersedes nothing. */
  private OrSet(E element, Dot dot) {
    this(null, null, element, dot, null, true);
  }

  /** Whether the entries are packed (for tests). */
  boolean isPacked() {
    return flat != null;
  }

  /** Whether this state's and {@code other}'s packed entries are now on one table (for tests). */
  boolean sharesTableWith(OrSet<?> other) {
    return flat != null && other.flat != null && flat.sharesTableWith(other.flat);
  }

  /** The dots of {@code element} (Dot or Dots), or null. */
  private Object slot(Object element) {
    return flat != null ? flat.get(element) : trie().get(element);
  }

  /** The entries as a trie; a flat state's are rebuilt, element by element, an add's built. */
  private HashTrie<E, Object> trie() {
    return flat != null ? flat.toTrie()
        : entries != null ? entries : HashTrie.of(added, addDot);
  }

  @SuppressWarnings("unchecked")
  public static <E> OrSet<E> empty() {
    return (OrSet<E>) EMPTY;
  }

  /**
   * Adds {@code element} as replica {@code self}.
   *
   * @return the delta; the state is unchanged
   */
  public OrSet<E> add(ReplicaId self, E element) {
    Values.check(element);
    Dot dot = context().nextDot(self);
    Object old = slot(element);
    if (old == null || Dots.isEmpty(old)) {
      return new OrSet<>(element, dot);
    }
    List<Dot> seen = new ArrayList<>(Dots.list(old));
    seen.add(dot);
    return new OrSet<>(HashTrie.of(element, dot), CausalContext.ofDots(seen), true);
  }

  /**
   * Adds every element of {@code elements} as replica {@code self}.
   *
   * @return the delta; the state is unchanged
   */
  public OrSet<E> addAll(ReplicaId self, Collection<? extends E> elements) {
    OrSet<E> acc = this;
    OrSet<E> out = new OrSet<>(HashTrie.empty(), CausalContext.empty(), true);
    for (E e : elements) {
      OrSet<E> d = acc.add(self, e);
      acc = acc.merge(d);
      out = out.merge(d);
    }
    return out;
  }

  /**
   * Removes {@code element}: the adds seen here are undone; adds not yet seen survive.
   *
   * @return the delta (empty if the element is absent); the state is unchanged
   */
  public OrSet<E> remove(E element) {
    Object old = slot(element);
    if (old == null || Dots.isEmpty(old)) {
      return new OrSet<>(HashTrie.empty(), CausalContext.empty(), true);
    }
    return new OrSet<>(HashTrie.<E, Object>empty().put(element, Dots.NONE),
        CausalContext.ofDots(Dots.list(old)), true);
  }

  /**
   * Removes every element seen here.
   *
   * @return the delta; the state is unchanged
   */
  public OrSet<E> clear() {
    HashTrie.Builder<E, Object> b = HashTrie.builder();
    List<Dot> seen = new ArrayList<>();
    trie().forEach((e, s) -> {
      if (!Dots.isEmpty(s)) {
        b.put(e, Dots.NONE);
        Dots.forEach(s, seen::add);
      }
    });
    return new OrSet<>(b.build(), CausalContext.ofDots(seen), true);
  }

  @Override
  public OrSet<E> merge(OrSet<E> other) {
    if (other == this) {
      return this;
    }
    if (flat == null && other.flat != null) {
      return other.merge(this); // the join commutes; the flat side is edited, not copied
    }
    if (!delta && other.added != null) {
      return absorbAdd(other.added, other.addDot);
    }
    if (added != null && !other.delta) {
      return other.merge(this);
    }
    if (!delta && other.delta && other.entries != null && other.entries.size() == 1
        && other.entries.onlyValue() instanceof Dot dot && other.context.isOnly(dot)) {
      return absorbAdd(other.entries.onlyKey(), dot); // an add's delta as decoders build it
    }
    if (flat != null) {
      return flatMerge(other);
    }
    HashTrie<E, Object> mine = trie();
    CausalContext seen = context();
    CausalContext theirs = other.context();
    HashTrie<E, Object> joined = DotMaps.join(
        mine, seen, delta, other.trie(), theirs, other.delta, SLOTS);
    CausalContext ctx = seen.merge(theirs);
    boolean d = delta && other.delta;
    if (joined == mine && ctx == seen && d == delta) {
      return this;
    }
    return new OrSet<>(joined, ctx, d);
  }

  /**
   * This state joined with an add's delta, {@code element -> dot} under the context {@code {dot}}:
   * nearly every merge a replica does, its own adds and every add it receives. If the state has
   * seen the dot, it holds it under element or has removed it since, and the join is the state
   * itself; otherwise none of element's dots here can be that add's (a dot names one write), so
   * the join adds the dot to them. One search of the context and one walk down the trie.
   */
  private OrSet<E> absorbAdd(E element, Dot dot) {
    CausalContext ctx = context.add(dot);
    if (ctx == context) {
      return this;
    }
    if (flat == null && entries.size() < packAt) {
      return new OrSet<>(entries.update(element, dot, WITH_DOT), ctx, false);
    }
    FlatSet f = flat != null ? flat : FlatSet.of(entries, false);
    return new OrSet<>(f.with(element, dot, WITH_DOT), ctx);
  }

  /** This flat state joined with any other side but a one-dot delta. */
  private OrSet<E> flatMerge(OrSet<E> other) {
    CausalContext theirs = other.context();
    FlatSet joined = other.flat != null
        ? FlatJoin.join(flat, context, other.flat, theirs, SLOTS)
        : other.delta ? FlatJoin.absorb(flat, context, other.trie(), theirs, SLOTS)
        : FlatJoin.join(flat, context, other.entries, theirs, SLOTS);
    CausalContext ctx = context.merge(theirs);
    return joined == flat && ctx == context ? this : new OrSet<>(joined, ctx);
  }

  /** An element's dots with one more; captures nothing, so an add's merge allocates no lambda. */
  private static final java.util.function.BiFunction<Object, Object, Object> WITH_DOT =
      (mine, dot) -> mine == null || Dots.isEmpty(mine) ? dot : Dots.with(mine, (Dot) dot);

  public boolean contains(Object element) {
    if (element == null) {
      return false;
    }
    Object s = slot(element);
    return s != null && !Dots.isEmpty(s);
  }

  /** The number of elements present. */
  public int size() {
    if (flat != null) {
      return flat.size();
    }
    if (!delta) {
      return entries.size();
    }
    if (added != null) {
      return 1;
    }
    int[] n = {0};
    entries.forEach((e, s) -> n[0] += Dots.isEmpty(s) ? 0 : 1);
    return n[0];
  }

  public boolean isEmpty() {
    return size() == 0;
  }

  /** The elements present, as an unmodifiable view. */
  public Set<E> elements() {
    return DotMaps.liveKeys(trie(), SLOTS, this::size);
  }


  /** Every dot this set has seen, including those of removed elements. */
  public CausalContext context() {
    return context != null ? context : CausalContext.ofDot(addDot);
  }

  /**
   * Whether this value is a delta as mutators produce it: its store mentions every element whose
   * dots its context covers, with an empty dot list where the element was removed.
   */
  public boolean isDelta() {
    return delta;
  }

  /** Visits each element with its dots, in no particular order (for codecs and tools). */
  @SuppressWarnings("unchecked")
  public void forEachEntry(BiConsumer<? super E, List<Dot>> action) {
    if (flat != null) {
      flat.forEach((e, s) -> action.accept((E) e, Dots.list(s)));
      return;
    }
    trie().forEach((e, s) -> action.accept(e, Dots.isEmpty(s) ? List.of() : Dots.list(s)));
  }

  /** The dots that keep {@code element} in the set; empty if absent. */
  public List<Dot> dotsOf(E element) {
    Object s = element == null ? null : slot(element);
    return s == null || Dots.isEmpty(s) ? List.of() : Dots.list(s);
  }

  /**
   * Rebuilds a set from its parts, as {@link #forEachEntry} and {@link #context()} show them.
   *
   * @throws IllegalArgumentException if a dot is missing from the context, an element is not a
   *     supported scalar, or a state (not a delta) lists an element without dots
   */
  public static <E> OrSet<E> restore(Map<E, ? extends Collection<Dot>> entries,
      CausalContext context, boolean delta) {
    HashTrie.Builder<E, Object> b = HashTrie.builder();
    java.util.Set<Dot> seen = new java.util.HashSet<>();
    for (Map.Entry<E, ? extends Collection<Dot>> e : entries.entrySet()) {
      Values.check(e.getKey());
      Collection<Dot> dots = e.getValue();
      if (dots.isEmpty() && !delta) {
        throw new IllegalArgumentException("element without dots in a state: " + e.getKey());
      }
      for (Dot d : dots) {
        if (!context.contains(d)) {
          throw new IllegalArgumentException("dot " + d + " of " + e.getKey()
              + " is not in the context");
        }
        if (!seen.add(d)) {
          // A dot names one add of one element; merges rely on it.
          throw new IllegalArgumentException("dot " + d + " appears twice");
        }
      }
      b.put(e.getKey(), Dots.of(dots));
    }
    return new OrSet<>(b.build(), context, delta);
  }

  // --- dot store ---

  @Override
  int kind() {
    return 2;
  }

  @Override
  @SuppressWarnings("unchecked")
  DotStore joinStore(CausalContext mine, DotStore other, CausalContext theirs) {
    OrSet<E> o = (OrSet<E>) other;
    HashTrie<E, Object> t = trie();
    HashTrie<E, Object> j = DotMaps.join(t, mine, false, o.trie(), theirs, false, SLOTS);
    return j == t ? this : new OrSet<>(j, CausalContext.empty(), false);
  }

  @Override
  DotStore keepUnseen(CausalContext seen) {
    HashTrie<E, Object> t = trie();
    HashTrie<E, Object> kept = t.transform((e, s) -> {
      Object k = Dots.keepUnseen(s, seen);
      return Dots.isEmpty(k) ? null : k;
    });
    return kept == t ? this : new OrSet<>(kept, CausalContext.empty(), false);
  }

  @Override
  boolean isBottom() {
    if (flat != null) {
      return flat.size() == 0;
    }
    if (!delta) {
      return entries.isEmpty();
    }
    if (added != null) {
      return false;
    }
    for (Map.Entry<E, Object> e : (Iterable<Map.Entry<E, Object>>) entries::iterator) {
      if (!Dots.isEmpty(e.getValue())) {
        return false;
      }
    }
    return true;
  }

  @Override
  void forEachDot(Consumer<Dot> action) {
    trie().forEach((e, s) -> Dots.forEach(s, action));
  }

  @Override
  DotStore detach() {
    if (!delta && context.isEmpty()) {
      return this;
    }
    if (flat != null) {
      return new OrSet<>(flat, CausalContext.empty());
    }
    return new OrSet<>(liveEntries(), CausalContext.empty(), false);
  }

  @Override
  Object attach(CausalContext ctx) {
    // Never a delta: a value handed out under its container's whole context must not promise
    // that its context covers only what it mentions.
    return flat != null ? new OrSet<>(flat, ctx) : new OrSet<>(trie(), ctx, false);
  }

  private HashTrie<E, Object> liveEntries() {
    return delta ? trie().transform((e, s) -> Dots.isEmpty(s) ? null : s) : trie();
  }

  /**
   * Equal when the elements, their dots and the contexts are equal. Whether a value is a delta
   * is a promise about how it was made, not part of its content, so it does not count.
   */
  @Override
  CausalContext ctx() {
    return context();
  }

  @Override
  boolean complete() {
    return delta;
  }

  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof OrSet<?> s
        && context().equals(s.context())
        && (flat != null && flat == s.flat || trie().equals(s.trie()));
  }

  @Override
  public int hashCode() {
    return Objects.hash(trie(), context());
  }

  @Override
  public String toString() {
    return (delta ? "OrSetDelta" : "OrSet") + elements() + "@" + context();
  }
}
