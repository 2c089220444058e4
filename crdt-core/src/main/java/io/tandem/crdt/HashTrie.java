package io.tandem.crdt;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * An immutable, persistent hash map: a CHAMP trie [1], the storage under the immutable CRDTs.
 *
 * <p>Every update copies only the path to the entry it changes and shares the rest, so old and new
 * versions cost O(log32 n) apart. {@link #merge} walks two tries side by side and reuses any
 * subtree that is identical on both sides, or that the merger keeps untouched, without visiting
 * it. Null keys and values are rejected. Two tries are equal when they hold equal entries, in
 * whatever order they were inserted.
 */
final class HashTrie<K, V> {

  /*
   * A hash-array mapped trie [2] reads 5 hash bits per level. A CHAMP node [1] keeps two 32-bit
   * bitmaps, one per kind of slot, and one array holding its entries inline, key then value,
   * followed by its children, both in bit order. No entry is wrapped in an object of its own: a
   * million-entry CRDT pays for its pairs of references, plus one node per few entries. Nodes
   * below the last hash bits are collision nodes, holding only entries whose 32-bit hashes are
   * equal; one class serves both kinds and the depth tells them apart.
   *
   * The trie is kept canonical: a subnode holds at least two entries, since one alone is inlined
   * into its parent. Each key then sits at the shallowest level where its hash prefix is unique,
   * so the shape is a function of the key set. That is what lets equals compare structure, and
   * merge stop at subtrees that are the same object on both sides.
   *
   * Each node caches its size so that a subtree merge reuses whole is counted without a visit.
   * The field is free: with compressed references the header and the five fields fill 32 bytes
   * exactly, as four would after padding.
   *
   * A Builder edits nodes in place when they carry its owner token (the "edit" of Clojure's
   * transients); persistent operations pass a null owner and so always copy. build() drops the
   * token, so nothing can edit those nodes again, and the final root field of the new trie
   * publishes them safely to other threads.
   *
   * [1] Steindorfer, Vinju, Optimizing Hash-Array Mapped Tries for Fast and Lean Immutable JVM
   *     Collections, OOPSLA 2015
   * [2] Bagwell, Ideal Hash Trees, 2001
   */

  private static final TrieNode EMPTY_NODE = TrieNode.EMPTY;
  private static final HashTrie<?, ?> EMPTY = new HashTrie<>(EMPTY_NODE);

  private final TrieNode root;

  private HashTrie(TrieNode root) {
    this.root = root;
  }

  /** The empty trie, one shared instance. */
  @SuppressWarnings("unchecked")
  static <K, V> HashTrie<K, V> empty() {
    return (HashTrie<K, V>) EMPTY;
  }

  /** A builder that starts empty; see {@link Builder}. */
  static <K, V> Builder<K, V> builder() {
    return new Builder<>();
  }

  /** The trie holding one entry; what a mutator's delta holds. */
  static <K, V> HashTrie<K, V> of(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    int bit = TrieNode.bit(TrieNode.hash(key), 0);
    return new HashTrie<>(new TrieNode(null, bit, 0, new Object[] {key, value}, 1));
  }

  /** The key of a one-entry trie (a one-entry root holds it inline). */
  @SuppressWarnings("unchecked")
  K onlyKey() {
    if (root.size != 1) {
      throw new IllegalStateException("not a one-entry trie");
    }
    return (K) root.content[0];
  }

  /** The value of a one-entry trie. */
  @SuppressWarnings("unchecked")
  V onlyValue() {
    if (root.size != 1) {
      throw new IllegalStateException("not a one-entry trie");
    }
    return (V) root.content[1];
  }

  /** The number of entries, in O(1). */
  int size() {
    return root.size;
  }

  /** Whether there is no entry. */
  boolean isEmpty() {
    return root.size == 0;
  }

  /** The value of {@code key}, or null if absent (a null key is never present). */
  @SuppressWarnings("unchecked")
  V get(Object key) {
    return key == null ? null : (V) root.get(key, TrieNode.hash(key));
  }

  /** Whether {@code key} has a value. */
  boolean containsKey(Object key) {
    return get(key) != null;
  }

  /**
   * This trie with {@code key} mapped to {@code value}; {@code this} when key already maps to the
   * identical (==) value.
   *
   * @throws NullPointerException if key or value is null
   */
  HashTrie<K, V> put(K key, V value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    TrieNode n = root.put(null, key, value, TrieNode.hash(key), 0);
    return n == root ? this : new HashTrie<>(n);
  }

  /**
   * This trie with the value of {@code key} replaced by {@code f} of its current value (null when
   * absent), in one walk down: a null result removes the key, and the result is {@code this}
   * when f returns the current value itself.
   */
  HashTrie<K, V> update(K key, UnaryOperator<V> f) {
    Objects.requireNonNull(key, "key");
    TrieNode n = root.update(key, TrieNode.hash(key), 0, APPLY, f);
    return n == root ? this : wrap(n);
  }

  /**
   * As {@link #update(Object, UnaryOperator)}, with the new value {@code f.apply(current, arg)}:
   * a hot caller passes its data as {@code arg} to a function that captures nothing, so each
   * call allocates no function object.
   */
  @SuppressWarnings("unchecked")
  <A> HashTrie<K, V> update(K key, A arg, BiFunction<? super V, ? super A, ? extends V> f) {
    Objects.requireNonNull(key, "key");
    TrieNode n = root.update(key, TrieNode.hash(key), 0,
        (BiFunction<Object, Object, Object>) (BiFunction<?, ?, ?>) f, arg);
    return n == root ? this : wrap(n);
  }

  @SuppressWarnings("unchecked")
  private static final BiFunction<Object, Object, Object> APPLY =
      (cur, f) -> ((UnaryOperator<Object>) f).apply(cur);

  /** This trie without {@code key}; {@code this} when key is absent. */
  HashTrie<K, V> remove(Object key) {
    if (key == null) {
      return this;
    }
    TrieNode n = root.remove(null, key, TrieNode.hash(key), 0);
    return n == root ? this : wrap(n);
  }

  /** Calls {@code action} once per entry, in no particular order. */
  @SuppressWarnings("unchecked")
  void forEach(BiConsumer<? super K, ? super V> action) {
    root.forEach((BiConsumer<Object, Object>) action, 0);
  }

  /** The entries, in the order of {@link #forEach}, as immutable entries made on the fly. */
  Iterator<Map.Entry<K, V>> iterator() {
    return new TrieEntries<>(root);
  }

  /** An unmodifiable {@link Map} view; get, containsKey and size take the trie's time. */
  Map<K, V> asMap() {
    return new AbstractMap<>() {
      @Override
      public int size() {
        return root.size;
      }

      @Override
      public V get(Object key) {
        return HashTrie.this.get(key);
      }

      @Override
      public boolean containsKey(Object key) {
        return HashTrie.this.get(key) != null;
      }

      @Override
      public Set<Map.Entry<K, V>> entrySet() {
        return new AbstractSet<>() {
          @Override
          public Iterator<Map.Entry<K, V>> iterator() {
            return HashTrie.this.iterator();
          }

          @Override
          public int size() {
            return root.size;
          }
        };
      }
    };
  }

  /**
   * Maps every entry through {@code f}; a null result removes the entry. Returns {@code this} if f
   * returned the identical (==) value for every entry, and shares every untouched subtree.
   */
  @SuppressWarnings("unchecked")
  HashTrie<K, V> transform(BiFunction<? super K, ? super V, ? extends V> f) {
    TrieNode n = TrieMerge.merge(root, EMPTY_NODE, 0,
        new TrieMerge.MergeOp(null, (BiFunction<Object, Object, Object>) f, null));
    return n == root ? this : wrap(n);
  }

  /**
   * The trie whose entries are decided by the merger, key by key: {@code both} for keys on both
   * sides, {@code leftOnly} and {@code rightOnly} for the others; a null decision drops the key.
   *
   * <p>The walk goes down both tries at once, bitmap position by bitmap position, and builds the
   * result bottom-up. A subtree that is the same object on both sides is reused as it is, without
   * calling {@code both}: the caller guarantees that {@code both(k, v, v)} returns {@code v}, as
   * an idempotent join does. The same holds for a single key whose two values are identical. When
   * nothing under a node changed, the result is the left (or right) node itself, and the result
   * is {@code left} or {@code right} when either holds exactly its entries. When the merger
   * {@link Merger#keepsLeftOnly keeps left-only entries}, subtrees only the left side has are
   * reused unvisited, so merging a one-entry trie into a million-entry one costs O(depth), not
   * O(n); symmetrically for {@link Merger#keepsRightOnly}.
   */
  @SuppressWarnings("unchecked")
  static <K, V> HashTrie<K, V> merge(
      HashTrie<K, V> left, HashTrie<K, V> right, Merger<K, V> merger) {
    Objects.requireNonNull(merger, "merger");
    if (left.root == right.root || (right.isEmpty() && merger.keepsLeftOnly())) {
      return left;
    }
    if (left.isEmpty() && merger.keepsRightOnly()) {
      return right;
    }
    Merger<Object, Object> m = (Merger<Object, Object>) merger;
    TrieNode n = TrieMerge.merge(left.root, right.root, 0, new TrieMerge.MergeOp(m,
        m.keepsLeftOnly() ? null : m::leftOnly, m.keepsRightOnly() ? null : m::rightOnly));
    return n == left.root ? left : n == right.root ? right : wrap(n);
  }

  /** How {@link #merge} decides each key. A null decision removes the key. */
  interface Merger<K, V> {
    /** The value of a key both sides hold; must return {@code v} for {@code both(k, v, v)}. */
    V both(K key, V left, V right);

    /** The value of a key only the left side holds. */
    V leftOnly(K key, V left);

    /** The value of a key only the right side holds. */
    V rightOnly(K key, V right);

    /**
     * When true, leftOnly is the identity: left-only subtrees are reused as they are, never
     * visited.
     */
    default boolean keepsLeftOnly() {
      return false;
    }

    /** When true, rightOnly is the identity: right-only subtrees are reused, never visited. */
    default boolean keepsRightOnly() {
      return false;
    }
  }

  /** Equal when both hold equal entries, in O(n) at worst and O(1) for shared subtrees. */
  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof HashTrie<?, ?> t && TrieNode.equal(root, t.root, 0));
  }

  /** As {@link Map#hashCode}: the sum of {@code key.hashCode() ^ value.hashCode()}. */
  @Override
  public int hashCode() {
    int[] sum = {0};
    root.forEach((k, v) -> sum[0] += k.hashCode() ^ v.hashCode(), 0);
    return sum[0];
  }

  /** As {@link AbstractMap#toString}: {@code {k1=v1, k2=v2}}. */
  @Override
  public String toString() {
    return asMap().toString();
  }

  private static <K, V> HashTrie<K, V> wrap(TrieNode root) {
    return root.size == 0 ? empty() : new HashTrie<>(root);
  }

  /**
   * A transient builder: it edits the nodes it created in place, so a put allocates O(1) objects
   * (the grown node array, now and then a new node) instead of copying its path.
   */
  static final class Builder<K, V> {
    private TrieNode root = EMPTY_NODE;
    private Object owner = new Object();

    private Builder() {}

    /** Maps {@code key} to {@code value}; rejects null keys and values. */
    Builder<K, V> put(K key, V value) {
      check();
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
      root = root.put(owner, key, value, TrieNode.hash(key), 0);
      return this;
    }

    /** Removes {@code key} if present. */
    Builder<K, V> remove(Object key) {
      check();
      if (key != null) {
        root = root.remove(owner, key, TrieNode.hash(key), 0);
      }
      return this;
    }

    /** The number of entries so far. */
    int size() {
      check();
      return root.size;
    }

    /** The value of {@code key} so far, or null. */
    @SuppressWarnings("unchecked")
    V get(Object key) {
      check();
      return key == null ? null : (V) root.get(key, TrieNode.hash(key));
    }

    /** The trie built; the builder must not be used afterwards. */
    HashTrie<K, V> build() {
      check();
      owner = null;
      return wrap(root);
    }

    private void check() {
      if (owner == null) {
        throw new IllegalStateException("builder used after build()");
      }
    }
  }
}
