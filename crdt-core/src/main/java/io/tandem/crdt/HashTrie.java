package io.tandem.crdt;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
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

  private static final int BITS = 5;
  /** The deepest shift that still reads hash bits; nodes below it are collision nodes. */
  private static final int LAST_SHIFT = 30;
  /** Seven bitmap levels (shifts 0 to 30) and the collision level. */
  private static final int LEVELS = 8;

  private static final Node EMPTY_NODE = new Node(null, 0, 0, new Object[0], 0);
  private static final HashTrie<?, ?> EMPTY = new HashTrie<>(EMPTY_NODE);

  private final Node root;

  private HashTrie(Node root) {
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
    return new HashTrie<>(new Node(null, bit(hash(key), 0), 0, new Object[] {key, value}, 1));
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
    return key == null ? null : (V) root.get(key, hash(key));
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
    Node n = root.put(null, key, value, hash(key), 0);
    return n == root ? this : new HashTrie<>(n);
  }

  /**
   * This trie with the value of {@code key} replaced by {@code f} of its current value (null when
   * absent), in one walk down: a null result removes the key, and the result is {@code this}
   * when f returns the current value itself.
   */
  @SuppressWarnings("unchecked")
  HashTrie<K, V> update(K key, UnaryOperator<V> f) {
    Objects.requireNonNull(key, "key");
    Node n = root.update(key, hash(key), 0, (UnaryOperator<Object>) f);
    return n == root ? this : wrap(n);
  }

  /** This trie without {@code key}; {@code this} when key is absent. */
  HashTrie<K, V> remove(Object key) {
    if (key == null) {
      return this;
    }
    Node n = root.remove(null, key, hash(key), 0);
    return n == root ? this : wrap(n);
  }

  /** Calls {@code action} once per entry, in no particular order. */
  @SuppressWarnings("unchecked")
  void forEach(BiConsumer<? super K, ? super V> action) {
    root.forEach((BiConsumer<Object, Object>) action, 0);
  }

  /** The entries, in the order of {@link #forEach}, as immutable entries made on the fly. */
  Iterator<Map.Entry<K, V>> iterator() {
    return new Entries<>(root);
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
    Node n = Node.merge(root, EMPTY_NODE, 0,
        new MergeOp(null, (BiFunction<Object, Object, Object>) f, null));
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
    Node n = Node.merge(left.root, right.root, 0, new MergeOp(m,
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
    return o == this || (o instanceof HashTrie<?, ?> t && Node.equal(root, t.root, 0));
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

  private static <K, V> HashTrie<K, V> wrap(Node root) {
    return root.size == 0 ? empty() : new HashTrie<>(root);
  }

  /** Spreads the high bits down, since the top levels read the low bits first. */
  private static int hash(Object key) {
    int h = key.hashCode();
    return h ^ (h >>> 16);
  }

  private static int bit(int hash, int shift) {
    return 1 << ((hash >>> shift) & 31);
  }

  /** The rank of {@code bit} among the bits set in {@code map}. */
  private static int index(int map, int bit) {
    return Integer.bitCount(map & (bit - 1));
  }

  private static boolean eq(Object a, Object b) {
    return a == b || a.equals(b);
  }

  /**
   * Whether the stored key {@code k} equals {@code key}, whose spread hash is {@code hash}. A
   * lookup of an absent key mostly ends at a stranger's slot; the stranger's cached hash (a
   * String keeps it in its header) rules it out without reading its characters, a cache miss
   * less per lookup in a large trie.
   */
  private static boolean same(Object key, int hash, Object k) {
    return key == k || hash(k) == hash && key.equals(k);
  }

  /**
   * A transient builder: it edits the nodes it created in place, so a put allocates O(1) objects
   * (the grown node array, now and then a new node) instead of copying its path.
   */
  static final class Builder<K, V> {
    private Node root = EMPTY_NODE;
    private Object owner = new Object();

    private Builder() {}

    /** Maps {@code key} to {@code value}; rejects null keys and values. */
    Builder<K, V> put(K key, V value) {
      check();
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
      root = root.put(owner, key, value, hash(key), 0);
      return this;
    }

    /** Removes {@code key} if present. */
    Builder<K, V> remove(Object key) {
      check();
      if (key != null) {
        root = root.remove(owner, key, hash(key), 0);
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
      return key == null ? null : (V) root.get(key, hash(key));
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

  /**
   * A trie node. Above LAST_SHIFT its content is [k0, v0, k1, v1, ..., child0, child1, ...],
   * entries and children each in bit order; below, it is a collision node holding only entries,
   * with both bitmaps 0. Only a node whose owner is the caller's may change after construction.
   */
  private static final class Node {
    final Object owner;
    int dataMap;
    int nodeMap;
    int size;
    Object[] content;

    Node(Object owner, int dataMap, int nodeMap, Object[] content, int size) {
      this.owner = owner;
      this.dataMap = dataMap;
      this.nodeMap = nodeMap;
      this.content = content;
      this.size = size;
    }

    Object get(Object key, int hash) {
      Node n = this;
      for (int shift = 0; shift <= LAST_SHIFT; shift += BITS) {
        int bit = bit(hash, shift);
        if ((n.dataMap & bit) != 0) {
          int i = 2 * index(n.dataMap, bit);
          return same(key, hash, n.content[i]) ? n.content[i + 1] : null;
        }
        if ((n.nodeMap & bit) == 0) {
          return null;
        }
        n = n.child(bit);
      }
      int i = n.collisionIndex(key);
      return i < 0 ? null : n.content[i + 1];
    }

    Node put(Object owner, Object key, Object value, int hash, int shift) {
      if (shift > LAST_SHIFT) {
        int i = collisionIndex(key);
        return i < 0 ? with(owner, 0, 0, insertEntry(content.length, key, value), size + 1)
            : setValue(owner, i, value);
      }
      int bit = bit(hash, shift);
      if ((dataMap & bit) != 0) {
        int i = 2 * index(dataMap, bit);
        Object k = content[i];
        if (same(key, hash, k)) {
          return setValue(owner, i, value);
        }
        Node child = pair(owner, k, content[i + 1], hash(k), key, value, hash, shift + BITS);
        int j = 2 * Integer.bitCount(dataMap) - 2 + index(nodeMap, bit);
        return with(owner, dataMap ^ bit, nodeMap | bit, entryToChild(i, j, child), size + 1);
      }
      if ((nodeMap & bit) != 0) {
        Node child = child(bit);
        return setChild(owner, bit, child.size, child.put(owner, key, value, hash, shift + BITS));
      }
      Object[] c = insertEntry(2 * index(dataMap, bit), key, value);
      return with(owner, dataMap | bit, nodeMap, c, size + 1);
    }

    /** {@link HashTrie#update}: persistent, so every changed node is a copy. */
    Node update(Object key, int hash, int shift, UnaryOperator<Object> f) {
      if (shift > LAST_SHIFT) {
        int i = collisionIndex(key);
        Object cur = i < 0 ? null : content[i + 1];
        Object v = f.apply(cur);
        if (v == cur) {
          return this;
        }
        return v == null ? with(null, 0, 0, removeEntry(i), size - 1)
            : i < 0 ? with(null, 0, 0, insertEntry(content.length, key, v), size + 1)
            : setValue(null, i, v);
      }
      int bit = bit(hash, shift);
      if ((nodeMap & bit) != 0) {
        Node child = child(bit);
        Node updated = child.update(key, hash, shift + BITS, f);
        if (updated.size == 1) {
          // A removal left one entry below: it moves up, as in remove.
          Object[] c = childToEntry(childSlot(bit), 2 * index(dataMap, bit), updated.content[0],
              updated.content[1]);
          return with(null, dataMap | bit, nodeMap ^ bit, c, size - 1);
        }
        return setChild(null, bit, child.size, updated);
      }
      int i = 2 * index(dataMap, bit);
      boolean here = (dataMap & bit) != 0;
      Object cur = here && same(key, hash, content[i]) ? content[i + 1] : null;
      Object v = f.apply(cur);
      if (v == cur) {
        return this;
      }
      if (cur != null) {
        return v == null ? with(null, dataMap ^ bit, nodeMap, removeEntry(i), size - 1)
            : setValue(null, i, v);
      }
      // Absent and given a value: a free slot takes it, or it shares a subnode with a stranger.
      return here ? put(null, key, v, hash, shift) : with(null, dataMap | bit, nodeMap,
          insertEntry(i, key, v), size + 1);
    }

    Node remove(Object owner, Object key, int hash, int shift) {
      if (shift > LAST_SHIFT) {
        int i = collisionIndex(key);
        return i < 0 ? this : with(owner, 0, 0, removeEntry(i), size - 1);
      }
      int bit = bit(hash, shift);
      if ((dataMap & bit) != 0) {
        int i = 2 * index(dataMap, bit);
        return !same(key, hash, content[i]) ? this
            : with(owner, dataMap ^ bit, nodeMap, removeEntry(i), size - 1);
      }
      if ((nodeMap & bit) == 0) {
        return this;
      }
      Node child = child(bit);
      int before = child.size;
      Node updated = child.remove(owner, key, hash, shift + BITS);
      if (updated.size == 1) {
        // Canonical form: the last entry of a subnode moves up, level by level as we return.
        Object[] c = childToEntry(childSlot(bit), 2 * index(dataMap, bit), updated.content[0],
            updated.content[1]);
        return with(owner, dataMap | bit, nodeMap ^ bit, c, size - 1);
      }
      return setChild(owner, bit, before, updated);
    }

    void forEach(BiConsumer<Object, Object> action, int shift) {
      int end = dataEnd(shift);
      for (int i = 0; i < end; i += 2) {
        action.accept(content[i], content[i + 1]);
      }
      for (int i = end; i < content.length; i++) {
        ((Node) content[i]).forEach(action, shift + BITS);
      }
    }

    static Node merge(Node l, Node r, int shift, MergeOp op) {
      if (l == r) {
        return l;
      }
      if (shift > LAST_SHIFT) {
        return mergeCollisions(l, r, op);
      }
      Assembler a = op.at(shift);
      int below = shift + BITS;
      for (int m = l.dataMap | l.nodeMap | r.dataMap | r.nodeMap; m != 0; m &= m - 1) {
        int bit = m & -m;
        int i = 2 * index(l.dataMap, bit);
        int j = 2 * index(r.dataMap, bit);
        if ((l.dataMap & bit) != 0) {
          Object k = l.content[i];
          Object v = l.content[i + 1];
          if ((r.dataMap & bit) != 0) {
            mergeEntries(a, bit, k, v, r.content[j], r.content[j + 1], below, op);
          } else if ((r.nodeMap & bit) != 0) {
            a.addChild(bit, merge(singleton(k, v, below), r.child(bit), below, op));
          } else {
            a.addEntry(bit, k, op.left(k, v));
          }
        } else if ((l.nodeMap & bit) != 0) {
          Node lc = l.child(bit);
          if ((r.dataMap & bit) != 0) {
            Node rs = singleton(r.content[j], r.content[j + 1], below);
            a.addChild(bit, merge(lc, rs, below, op));
          } else if ((r.nodeMap & bit) != 0) {
            a.addChild(bit, merge(lc, r.child(bit), below, op));
          } else {
            a.addChild(bit, op.leftOnly == null ? lc : merge(lc, EMPTY_NODE, below, op));
          }
        } else if ((r.dataMap & bit) != 0) {
          a.addEntry(bit, r.content[j], op.right(r.content[j], r.content[j + 1]));
        } else {
          Node rc = r.child(bit);
          a.addChild(bit, op.rightOnly == null ? rc : merge(EMPTY_NODE, rc, below, op));
        }
      }
      return a.finish(l, r);
    }

    private static void mergeEntries(Assembler a, int bit, Object lk, Object lv, Object rk,
        Object rv, int below, MergeOp op) {
      if (eq(lk, rk)) {
        Object v = op.both(lk, lv, rv);
        // Keep the key object of the side whose value won, so that side's node can be reused.
        a.addEntry(bit, v == rv && v != lv ? rk : lk, v);
        return;
      }
      Object nl = op.left(lk, lv);
      Object nr = op.right(rk, rv);
      if (nl != null && nr != null) {
        a.addChild(bit, pair(null, lk, nl, hash(lk), rk, nr, hash(rk), below));
      } else {
        a.addEntry(bit, lk, nl);
        a.addEntry(bit, rk, nr);
      }
    }

    /** Collision nodes hold a few keys each, so quadratic walks are fine. */
    private static Node mergeCollisions(Node l, Node r, MergeOp op) {
      Object[] out = new Object[l.content.length + r.content.length];
      int n = 0;
      for (int i = 0; i < l.content.length; i += 2) {
        Object k = l.content[i];
        int j = r.collisionIndex(k);
        Object v = j < 0 ? op.left(k, l.content[i + 1]) : op.both(k, l.content[i + 1],
            r.content[j + 1]);
        n = append(out, n, k, v);
      }
      for (int j = 0; j < r.content.length; j += 2) {
        if (l.collisionIndex(r.content[j]) < 0) {
          n = append(out, n, r.content[j], op.right(r.content[j], r.content[j + 1]));
        }
      }
      Node m = new Node(null, 0, 0, Arrays.copyOf(out, n), n / 2);
      return holdsAll(m, l, true) ? l : holdsAll(m, r, true) ? r : m;
    }

    private static int append(Object[] out, int n, Object k, Object v) {
      if (v == null) {
        return n;
      }
      out[n] = k;
      out[n + 1] = v;
      return n + 2;
    }

    /** Whether collision nodes a and b hold equal keys with equal, or identical, values. */
    private static boolean holdsAll(Node a, Node b, boolean identical) {
      if (a.size != b.size) {
        return false;
      }
      for (int i = 0; i < a.content.length; i += 2) {
        int j = b.collisionIndex(a.content[i]);
        Object v = j < 0 ? null : b.content[j + 1];
        if (v == null || (identical ? v != a.content[i + 1] : !v.equals(a.content[i + 1]))) {
          return false;
        }
      }
      return true;
    }

    /** Structural equality, which is map equality because both tries are canonical. */
    static boolean equal(Node a, Node b, int shift) {
      if (a == b || a.size != b.size || a.dataMap != b.dataMap || a.nodeMap != b.nodeMap) {
        return a == b;
      }
      if (shift > LAST_SHIFT) {
        return holdsAll(a, b, false);
      }
      int end = a.dataEnd(shift);
      for (int i = 0; i < a.content.length; i++) {
        boolean same = i < end ? eq(a.content[i], b.content[i])
            : equal((Node) a.content[i], (Node) b.content[i], shift + BITS);
        if (!same) {
          return false;
        }
      }
      return true;
    }

    /** A subtree holding two entries with different keys, starting at {@code shift}. */
    static Node pair(Object owner, Object k1, Object v1, int h1, Object k2, Object v2, int h2,
        int shift) {
      if (shift > LAST_SHIFT) {
        return new Node(owner, 0, 0, new Object[] {k1, v1, k2, v2}, 2);
      }
      int f1 = (h1 >>> shift) & 31;
      int f2 = (h2 >>> shift) & 31;
      if (f1 == f2) {
        Node child = pair(owner, k1, v1, h1, k2, v2, h2, shift + BITS);
        return new Node(owner, 0, 1 << f1, new Object[] {child}, 2);
      }
      Object[] c = f1 < f2 ? new Object[] {k1, v1, k2, v2} : new Object[] {k2, v2, k1, v1};
      return new Node(owner, (1 << f1) | (1 << f2), 0, c, 2);
    }

    /**
     * A one-entry node at {@code shift}, which is not canonical: merge uses it to meet a subtree
     * on the other side, and the parent inlines it again if it comes back alone.
     */
    private static Node singleton(Object k, Object v, int shift) {
      int dataMap = shift > LAST_SHIFT ? 0 : bit(hash(k), shift);
      return new Node(null, dataMap, 0, new Object[] {k, v}, 1);
    }

    int dataEnd(int shift) {
      return shift > LAST_SHIFT ? content.length : 2 * Integer.bitCount(dataMap);
    }

    Node child(int bit) {
      return (Node) content[childSlot(bit)];
    }

    private int childSlot(int bit) {
      return 2 * Integer.bitCount(dataMap) + index(nodeMap, bit);
    }

    int collisionIndex(Object key) {
      for (int i = 0; i < content.length; i += 2) {
        if (eq(key, content[i])) {
          return i;
        }
      }
      return -1;
    }

    private boolean ownedBy(Object owner) {
      return owner != null && this.owner == owner;
    }

    /** This node, edited in place if the owner may, or else a new node. */
    private Node with(Object owner, int dataMap, int nodeMap, Object[] content, int size) {
      if (!ownedBy(owner)) {
        return new Node(owner, dataMap, nodeMap, content, size);
      }
      this.dataMap = dataMap;
      this.nodeMap = nodeMap;
      this.content = content;
      this.size = size;
      return this;
    }

    private Node setValue(Object owner, int i, Object value) {
      if (content[i + 1] == value) {
        return this;
      }
      Object[] c = ownedBy(owner) ? content : content.clone();
      c[i + 1] = value;
      return with(owner, dataMap, nodeMap, c, size);
    }

    /**
     * Puts {@code updated} in place of the child at {@code bit}, which had {@code before} entries:
     * a builder edits children in place, so their size must be read before the edit.
     */
    private Node setChild(Object owner, int bit, int before, Node updated) {
      int p = childSlot(bit);
      if (updated == content[p] && updated.size == before) {
        return this;
      }
      Object[] c = ownedBy(owner) ? content : content.clone();
      c[p] = updated;
      return with(owner, dataMap, nodeMap, c, size + updated.size - before);
    }

    private Object[] insertEntry(int i, Object k, Object v) {
      Object[] c = new Object[content.length + 2];
      System.arraycopy(content, 0, c, 0, i);
      c[i] = k;
      c[i + 1] = v;
      System.arraycopy(content, i, c, i + 2, content.length - i);
      return c;
    }

    private Object[] removeEntry(int i) {
      Object[] c = new Object[content.length - 2];
      System.arraycopy(content, 0, c, 0, i);
      System.arraycopy(content, i + 2, c, i, content.length - i - 2);
      return c;
    }

    /** Replaces the entry at i by {@code child}, which lands at j in the new array. */
    private Object[] entryToChild(int i, int j, Node child) {
      Object[] c = new Object[content.length - 1];
      System.arraycopy(content, 0, c, 0, i);
      System.arraycopy(content, i + 2, c, i, j - i);
      c[j] = child;
      System.arraycopy(content, j + 2, c, j + 1, content.length - j - 2);
      return c;
    }

    /** Replaces the child at p by an entry, which lands at i in the new array. */
    private Object[] childToEntry(int p, int i, Object k, Object v) {
      Object[] c = new Object[content.length + 1];
      System.arraycopy(content, 0, c, 0, i);
      c[i] = k;
      c[i + 1] = v;
      System.arraycopy(content, i, c, i + 2, p - i);
      System.arraycopy(content, p + 1, c, p + 2, content.length - p - 1);
      return c;
    }
  }

  /**
   * Rebuilds one bitmap node slot by slot, in bit order, and yields an input node itself when the
   * slots came out identical to it, so unchanged subtrees allocate nothing.
   */
  private static final class Assembler {
    private final Object[] entries = new Object[64];
    private final Node[] children = new Node[32];
    private int dataMap;
    private int nodeMap;
    private int size;
    private int entryEnd;
    private int childCount;

    /** Adds an entry, unless {@code value} is null (a dropped key). */
    void addEntry(int bit, Object key, Object value) {
      if (value != null) {
        dataMap |= bit;
        entries[entryEnd++] = key;
        entries[entryEnd++] = value;
        size++;
      }
    }

    /** Adds a rebuilt child, keeping the form canonical: empty is dropped, one entry inlined. */
    void addChild(int bit, Node child) {
      if (child.size == 1) {
        addEntry(bit, child.content[0], child.content[1]);
      } else if (child.size > 1) {
        nodeMap |= bit;
        children[childCount++] = child;
        size += child.size;
      }
    }

    Node finish(Node l, Node r) {
      if (matches(l)) {
        return l;
      }
      if (matches(r)) {
        return r;
      }
      Object[] c = Arrays.copyOf(entries, entryEnd + childCount);
      System.arraycopy(children, 0, c, entryEnd, childCount);
      return new Node(null, dataMap, nodeMap, c, size);
    }

    private boolean matches(Node n) {
      if (n.dataMap != dataMap || n.nodeMap != nodeMap) {
        return false;
      }
      for (int i = 0; i < entryEnd; i++) {
        if (n.content[i] != entries[i]) {
          return false;
        }
      }
      for (int i = 0; i < childCount; i++) {
        if (n.content[entryEnd + i] != children[i]) {
          return false;
        }
      }
      return true;
    }
  }

  /** One merge or transform: what becomes of each key, and an assembler per level. */
  private static final class MergeOp {
    final Merger<Object, Object> merger;
    /** What becomes of a key one side holds alone; null keeps it, and its subtree unvisited. */
    final BiFunction<Object, Object, Object> leftOnly;
    final BiFunction<Object, Object, Object> rightOnly;
    /** Level d is busy while level d + 1 works, so one assembler per level suffices. */
    private final Assembler[] levels = new Assembler[LEVELS];

    MergeOp(Merger<Object, Object> merger, BiFunction<Object, Object, Object> leftOnly,
        BiFunction<Object, Object, Object> rightOnly) {
      this.merger = merger;
      this.leftOnly = leftOnly;
      this.rightOnly = rightOnly;
    }

    Object both(Object k, Object l, Object r) {
      return l == r ? l : merger.both(k, l, r);
    }

    Object left(Object k, Object v) {
      return leftOnly == null ? v : leftOnly.apply(k, v);
    }

    Object right(Object k, Object v) {
      return rightOnly == null ? v : rightOnly.apply(k, v);
    }

    /** A fresh assembler for the level of {@code shift}, reusing its buffers. */
    Assembler at(int shift) {
      int d = shift / BITS;
      if (levels[d] == null) {
        levels[d] = new Assembler();
      }
      Assembler a = levels[d];
      a.dataMap = a.nodeMap = a.size = a.entryEnd = a.childCount = 0;
      return a;
    }
  }

  /** A depth-first walk with an explicit stack: entries of a node, then its children. */
  private static final class Entries<K, V> implements Iterator<Map.Entry<K, V>> {
    private final Node[] path = new Node[LEVELS];
    private final int[] cursor = new int[LEVELS];
    private int depth;

    Entries(Node root) {
      path[0] = root;
      depth = root.size == 0 ? -1 : 0;
    }

    @Override
    public boolean hasNext() {
      while (depth >= 0) {
        Node n = path[depth];
        int c = cursor[depth];
        if (c < n.dataEnd(depth * BITS)) {
          return true;
        }
        if (c < n.content.length) {
          cursor[depth] = c + 1;
          path[++depth] = (Node) n.content[c];
          cursor[depth] = 0;
        } else {
          path[depth--] = null;
        }
      }
      return false;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map.Entry<K, V> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Node n = path[depth];
      int c = cursor[depth];
      cursor[depth] = c + 2;
      return new AbstractMap.SimpleImmutableEntry<>((K) n.content[c], (V) n.content[c + 1]);
    }
  }
}
