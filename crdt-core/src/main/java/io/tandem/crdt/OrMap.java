package io.tandem.crdt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Add-wins observed-remove map whose values are CRDTs: {@link OrSet}, {@link MvRegister} and
 * nested {@code OrMap}s share the map's causal context; {@link LwwRegister}, {@link GCounter} and
 * {@link PnCounter} ride in a {@link DotFun}. {@code merge} is the join: commutative,
 * associative, idempotent. A key is present while its value holds a dot. A concurrent update of
 * a value and removal of its key keep the update; removal leaves no tombstone.
 *
 * <pre>{@code
 * OrMap<String, Crdt<?>> note = OrMap.empty();
 * note = note.merge(note.update(self, "title", LwwRegister.<String>empty(),
 *     t -> t.assign(clock.tick(now), "Groceries")));
 * note = note.merge(note.update(self, "tags", OrSet.<String>empty(), t -> t.add(self, "home")));
 * }</pre>
 *
 * @param <K> key type: one of the scalars {@link Values} supports
 * @param <V> value type; {@code Crdt<?>} for a map whose keys hold different kinds
 */
public final class OrMap<K, V extends Crdt<?>> extends DotStore implements Crdt<OrMap<K, V>> {

  /*
   * The values' dots all come from the map's one context [1], so removing a key is a delta with
   * no store under that key and a context of every dot the remover saw under it: whatever was
   * written concurrently carries dots outside that context and survives. Values that have no
   * dots of their own get one per update through a DotFun, which gives them the same behaviour.
   * Keys where replicas wrote different kinds of value keep one store per kind (see Clash).
   *
   * A state of packAt keys or more keeps them in a FlatSet (keys packed as bytes in flat
   * arrays, persistent by rerooting) instead of a HashTrie, from the first write of a new key
   * merged into it, as OrSet does: a key holding one write of an LwwRegister, nearly every key of
   * a map of registers, is then a dot and a register in columns, with no object of its own; any
   * other slot stays an object beside them. Deltas and small states stay tries. Exactly one of
   * slots and flat is set.
   *
   * [1] Almeida, Shoker, Baquero, Delta State Replicated Data Types, 2018 (ORMap, §7.3)
   */

  /** The size from which a state's keys are packed; tests lower it to cover the flat form. */
  static int packAt = Integer.getInteger("tandem.orMapPackAt", 256);

  private static final OrMap<?, ?> EMPTY =
      new OrMap<>(HashTrie.empty(), CausalContext.empty(), false);
  private static final DotStore[] NO_STORES = new DotStore[0];

  static final DotMaps.Slots SLOTS = new DotMaps.Slots() {
    @Override
    public Object join(Object l, CausalContext cl, boolean lc, Object r, CausalContext cr,
        boolean rc) {
      if (l instanceof DotStore a && r instanceof DotStore b && a.kind() == b.kind()) {
        DotStore j = a.joinStore(cl, b, cr);
        return j == a ? l : j.isBottom() ? Clash.MARKER : j;
      }
      DotStore[] as = Clash.storesOf(l);
      DotStore[] bs = Clash.storesOf(r);
      List<DotStore> out = new ArrayList<>(as.length + bs.length);
      int i = 0;
      int j = 0;
      while (i < as.length || j < bs.length) {
        int c = i == as.length ? 1 : j == bs.length ? -1
            : Integer.compare(as[i].kind(), bs[j].kind());
        if (c == 0) {
          out.add(as[i++].joinStore(cl, bs[j++], cr));
        } else if (c < 0) {
          out.add(as[i++].keepUnseen(cr));
        } else {
          out.add(bs[j++].keepUnseen(cl));
        }
      }
      return Clash.slotOf(out);
    }

    @Override
    public Object keepUnseen(Object s, CausalContext seen) {
      if (s instanceof DotStore a) {
        DotStore k = a.keepUnseen(seen);
        return k == a ? s : k.isBottom() ? Clash.MARKER : k;
      }
      List<DotStore> out = new ArrayList<>();
      for (DotStore a : Clash.storesOf(s)) {
        out.add(a.keepUnseen(seen));
      }
      return Clash.slotOf(out);
    }

    @Override
    public boolean isEmpty(Object s) {
      return Clash.isEmpty(s);
    }

    @Override
    public Object marker() {
      return Clash.MARKER;
    }
  };

  private final HashTrie<K, Object> slots; // key -> DotStore | Clash (MARKER only in deltas)
  private final FlatSet flat; // the same, packed, for big states
  private final CausalContext context;
  private final boolean delta;

  private OrMap(HashTrie<K, Object> slots, FlatSet flat, CausalContext context, boolean delta) {
    this.slots = slots;
    this.flat = flat;
    this.context = context;
    this.delta = delta;
  }

  private OrMap(HashTrie<K, Object> slots, CausalContext context, boolean delta) {
    this(slots, null, context, delta);
  }

  /** A state whose keys are packed. */
  private static <K, V extends Crdt<?>> OrMap<K, V> packed(FlatSet flat, CausalContext context) {
    return new OrMap<>(null, flat, context, false);
  }

  /** Whether the keys are packed (for tests). */
  boolean isPacked() {
    return flat != null;
  }

  /** The slot of {@code key}, or null. */
  private Object slot(Object key) {
    return flat != null ? flat.get(key) : slots.get(key);
  }

  /** The slots as a trie; a flat state's are rebuilt, key by key. */
  private HashTrie<K, Object> trie() {
    return flat != null ? flat.toTrie() : slots;
  }

  @SuppressWarnings("unchecked")
  public static <K, V extends Crdt<?>> OrMap<K, V> empty() {
    return (OrMap<K, V>) EMPTY;
  }

  /**
   * Updates the value under {@code key} as replica {@code self}: {@code mutator} receives the
   * current value of {@code empty}'s kind (or {@code empty} if there is none) and returns that
   * value's delta, from exactly one mutator call of its own.
   *
   * @param empty the empty value of the kind to update, such as {@code OrSet.empty()}
   * @return the delta; the state is unchanged
   * @throws IllegalArgumentException if the key is not a supported scalar or {@code empty} is not
   *     an empty value of a kind a map can hold
   */
  @SuppressWarnings("unchecked")
  public <W extends V> OrMap<K, V> update(ReplicaId self, K key, W empty,
      UnaryOperator<W> mutator) {
    Values.check(key);
    Objects.requireNonNull(self, "self");
    Object slot = slot(key);
    Object e = Objects.requireNonNull(empty, "empty");
    if (e instanceof DotFun || !(e instanceof DotStore) && !DotFun.embeds(e)) {
      DotFun.kindOf(e); // throws with the reason
    }
    if (!(empty instanceof DotStore)) {
      return updateEmbedded(self, key, slot, empty, mutator);
    }
    DotStore[] stores = slot == null ? NO_STORES : Clash.storesOf(slot);
    DotStore bottom = (DotStore) empty;
    if (!bottom.isBottom() || !bottom.ctx().isEmpty()) {
      throw new IllegalArgumentException("not an empty value: " + empty);
    }
    DotStore current = find(stores, bottom.kind());
    W value = (W) (current != null ? current : bottom).attach(context);
    DotStore result = (DotStore) mutator.apply(value);
    CausalContext own = result.ctx();
    CausalContext ctx = own;
    if (!result.complete()) {
      // A full value's context is the whole map's; keep only the dots under this key, so the
      // delta stays complete and cannot remove anything elsewhere.
      List<Dot> dots = new ArrayList<>();
      result.forEachDot(dots::add);
      if (current != null) {
        current.forEachDot(d -> {
          if (own.contains(d)) {
            dots.add(d);
          }
        });
      }
      ctx = CausalContext.ofDots(dots);
    }
    DotStore store = result.detach();
    Object newSlot = store.isBottom() ? Clash.MARKER : store;
    return new OrMap<>(HashTrie.of(key, newSlot), ctx, true);
  }

  /** {@link #update} of a value without dots of its own, held in a {@link DotFun}. */
  @SuppressWarnings("unchecked")
  private <W extends V> OrMap<K, V> updateEmbedded(ReplicaId self, K key, Object slot, W empty,
      UnaryOperator<W> mutator) {
    int kind = DotFun.kindOf(empty);
    DotFun<?> current = slot instanceof DotFun<?> f && f.kind() == kind ? f
        : slot == null ? null : (DotFun<?>) find(Clash.storesOf(slot), kind);
    W value = current != null ? (W) current.value() : empty;
    Object updated = DotFun.mergeValues(value, mutator.apply(value));
    if (updated.equals(value)) {
      // The mutator wrote nothing: no dot, or an empty register would sit under one.
      return new OrMap<>(HashTrie.empty(), CausalContext.empty(), true);
    }
    Dot dot = context.nextDot(self);
    CausalContext seen;
    if (current == null) {
      seen = CausalContext.ofDot(dot);
    } else {
      List<Dot> dots = new ArrayList<>(current.dots());
      dots.add(dot);
      seen = CausalContext.ofDots(dots);
    }
    return new OrMap<>(HashTrie.of(key, DotFun.single(dot, updated)), seen, true);
  }

  /**
   * Removes {@code key}: the updates seen here are undone; updates not yet seen survive.
   *
   * @return the delta (empty if the key is absent); the state is unchanged
   */
  public OrMap<K, V> remove(K key) {
    Object slot = slot(key);
    if (slot == null || Clash.isEmpty(slot)) {
      return new OrMap<>(HashTrie.empty(), CausalContext.empty(), true);
    }
    List<Dot> dots = new ArrayList<>();
    for (DotStore s : Clash.storesOf(slot)) {
      s.forEachDot(dots::add);
    }
    return new OrMap<>(HashTrie.of(key, Clash.MARKER),
        CausalContext.ofDots(dots), true);
  }

  @Override
  public OrMap<K, V> merge(OrMap<K, V> other) {
    if (other == this) {
      return this;
    }
    if (flat == null && other.flat != null) {
      return other.merge(this); // the join commutes; the flat side is edited, not copied
    }
    if (!delta && other.delta && other.slots.size() == 1
        && other.slots.onlyValue() instanceof DotFun<?> write && write.onlyDot() != null
        && other.context.isOnly(write.onlyDot())) {
      return absorbWrite(other.slots.onlyKey(), write, other.context);
    }
    if (flat != null) {
      return flatMerge(other);
    }
    HashTrie<K, Object> joined =
        DotMaps.join(slots, context, delta, other.slots, other.context, other.delta, SLOTS);
    CausalContext ctx = context.merge(other.context);
    boolean d = delta && other.delta;
    if (joined == slots && ctx == context && d == delta) {
      return this;
    }
    return new OrMap<>(joined, ctx, d);
  }

  /**
   * This state joined with the delta of one write to a key with no earlier value seen by the
   * writer: {@code key -> write}, a dot function of one dot, under the context of that dot alone
   * (every put of a new key). If the state has seen the dot, it holds that write or has removed
   * it since, and the join is the state itself; otherwise one search of the context and one walk
   * down the trie do it.
   */
  private OrMap<K, V> absorbWrite(K key, DotFun<?> write, CausalContext theirs) {
    CausalContext ctx = context.add(write.onlyDot());
    if (ctx == context) {
      return this;
    }
    CausalContext mine = context;
    BiFunction<Object, Object, Object> f =
        (cur, w) -> cur == null ? w : SLOTS.join(cur, mine, false, w, theirs, true);
    if (flat == null && slots.size() < packAt) {
      return new OrMap<>(slots.update(key, write, f), ctx, false);
    }
    FlatSet table = flat != null ? flat : FlatSet.of(slots, true);
    return packed(table.with(key, write, f), ctx);
  }

  /** This flat state joined with any other side but a one-write delta. */
  private OrMap<K, V> flatMerge(OrMap<K, V> other) {
    FlatSet joined = other.flat != null
        ? FlatJoin.join(flat, context, other.flat, other.context, SLOTS)
        : other.delta ? FlatJoin.absorb(flat, context, other.slots, other.context, SLOTS)
        : FlatJoin.join(flat, context, other.slots, other.context, SLOTS);
    CausalContext ctx = context.merge(other.context);
    return joined == flat && ctx == context ? this : packed(joined, ctx);
  }

  /**
   * The value under {@code key}, or null. Where replicas wrote different kinds under one key,
   * the value of the highest kind shows, the same on every replica.
   */
  @SuppressWarnings("unchecked")
  public V get(Object key) {
    Object slot = key == null ? null : slot(key);
    if (slot == null || Clash.isEmpty(slot)) {
      return null;
    }
    DotStore[] stores = Clash.storesOf(slot);
    return (V) stores[stores.length - 1].attach(context);
  }

  /** The value of {@code empty}'s kind under {@code key}, or {@code empty} if there is none. */
  @SuppressWarnings("unchecked")
  public <W extends V> W get(Object key, W empty) {
    Object slot = key == null ? null : slot(key);
    int kind = empty instanceof DotStore s ? s.kind() : DotFun.kindOf(empty);
    DotStore found = slot == null ? null : find(Clash.storesOf(slot), kind);
    return found == null ? empty : (W) found.attach(context);
  }

  public boolean containsKey(Object key) {
    Object slot = key == null ? null : slot(key);
    return slot != null && !Clash.isEmpty(slot);
  }

  /** The number of keys present. */
  public int size() {
    if (flat != null) {
      return flat.size();
    }
    if (!delta) {
      return slots.size();
    }
    int[] n = {0};
    slots.forEach((k, s) -> n[0] += Clash.isEmpty(s) ? 0 : 1);
    return n[0];
  }

  public boolean isEmpty() {
    return size() == 0;
  }

  /** The keys present, as an unmodifiable view. */
  public Set<K> keySet() {
    return DotMaps.liveKeys(trie(), SLOTS, this::size);
  }


  /** Visits each present key with its value, in no particular order. */
  public void forEach(BiConsumer<? super K, ? super V> action) {
    for (K k : keySet()) {
      action.accept(k, get(k));
    }
  }

  /** A snapshot of the present keys and values. */
  public Map<K, V> toMap() {
    Map<K, V> m = new LinkedHashMap<>();
    forEach(m::put);
    return m;
  }

  public CausalContext context() {
    return context;
  }

  /**
   * Whether this value is a delta as mutators produce it: its store mentions every key whose dots
   * its context covers, with no store where the key was removed.
   */
  public boolean isDelta() {
    return delta;
  }

  /**
   * Visits each key with its stores, ordered by kind: one store normally, several where kinds
   * clash, none for a removal in a delta. Stores sit detached from the map's context.
   */
  public void forEachEntry(BiConsumer<? super K, List<DotStore>> action) {
    trie().forEach((k, s) -> action.accept(k, List.of(Clash.storesOf(s))));
  }

  /**
   * Rebuilds a map from its parts, as {@link #forEachEntry} and {@link #context()} show them.
   *
   * @throws IllegalArgumentException if a key is not a supported scalar, a store holds a dot the
   *     context lacks, two stores of a key are of one kind, or a state lists a key with no store
   */
  public static <K, V extends Crdt<?>> OrMap<K, V> restore(Map<K, List<DotStore>> entries,
      CausalContext context, boolean delta) {
    HashTrie.Builder<K, Object> b = HashTrie.builder();
    java.util.Set<Dot> seen = new java.util.HashSet<>();
    for (Map.Entry<K, List<DotStore>> e : entries.entrySet()) {
      Values.check(e.getKey());
      List<DotStore> stores = new ArrayList<>();
      for (DotStore s : e.getValue()) {
        DotStore d = s.detach();
        if (d.isBottom()) {
          throw new IllegalArgumentException("empty store under " + e.getKey());
        }
        d.forEachDot(dot -> {
          if (!context.contains(dot)) {
            throw new IllegalArgumentException("dot " + dot + " under " + e.getKey()
                + " is not in the context");
          }
          if (!seen.add(dot)) {
            // A dot names one write of one key; merges rely on it.
            throw new IllegalArgumentException("dot " + dot + " appears twice");
          }
        });
        stores.add(d);
      }
      stores.sort((x, y) -> Integer.compare(x.kind(), y.kind()));
      for (int i = 1; i < stores.size(); i++) {
        if (stores.get(i).kind() == stores.get(i - 1).kind()) {
          throw new IllegalArgumentException("two stores of one kind under " + e.getKey());
        }
      }
      if (stores.isEmpty() && !delta) {
        throw new IllegalArgumentException("key without a value in a state: " + e.getKey());
      }
      b.put(e.getKey(), Clash.slotOf(stores));
    }
    return new OrMap<>(b.build(), context, delta);
  }

  private static DotStore find(DotStore[] stores, int kind) {
    for (DotStore s : stores) {
      if (s.kind() == kind) {
        return s;
      }
    }
    return null;
  }

  // --- dot store ---

  @Override
  int kind() {
    return 3;
  }

  @Override
  @SuppressWarnings("unchecked")
  DotStore joinStore(CausalContext mine, DotStore other, CausalContext theirs) {
    OrMap<K, V> o = (OrMap<K, V>) other;
    HashTrie<K, Object> t = trie();
    HashTrie<K, Object> j = DotMaps.join(t, mine, false, o.trie(), theirs, false, SLOTS);
    return j == t ? this : new OrMap<>(j, CausalContext.empty(), false);
  }

  @Override
  DotStore keepUnseen(CausalContext seen) {
    HashTrie<K, Object> t = trie();
    HashTrie<K, Object> kept = t.transform((k, s) -> {
      Object r = SLOTS.keepUnseen(s, seen);
      return Clash.isEmpty(r) ? null : r;
    });
    return kept == t ? this : new OrMap<>(kept, CausalContext.empty(), false);
  }

  @Override
  boolean isBottom() {
    return size() == 0;
  }

  @Override
  void forEachDot(Consumer<Dot> action) {
    trie().forEach((k, s) -> {
      for (DotStore store : Clash.storesOf(s)) {
        store.forEachDot(action);
      }
    });
  }

  @Override
  DotStore detach() {
    if (context.isEmpty() && !delta) {
      return this;
    }
    if (flat != null) {
      return packed(flat, CausalContext.empty());
    }
    HashTrie<K, Object> live = delta ? slots.transform((k, s) -> Clash.isEmpty(s) ? null : s)
        : slots;
    return new OrMap<>(live, CausalContext.empty(), false);
  }

  @Override
  Object attach(CausalContext ctx) {
    return new OrMap<>(slots, flat, ctx, false);
  }

  @Override
  CausalContext ctx() {
    return context;
  }

  @Override
  boolean complete() {
    return delta;
  }

  /** Equal when keys, values, dots and contexts are equal; being a delta does not count. */
  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof OrMap<?, ?> m && context.equals(m.context)
        && (flat != null && flat == m.flat || trie().equals(m.trie()));
  }

  @Override
  public int hashCode() {
    return Objects.hash(trie(), context);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(delta ? "OrMapDelta{" : "OrMap{");
    trie().forEach((k, s) -> b.append(b.charAt(b.length() - 1) == '{' ? "" : ", ").append(k)
        .append('=').append(Clash.isEmpty(s) ? "Removed" : Arrays.toString(Clash.storesOf(s))));
    return b.append("}@").append(context).toString();
  }
}
