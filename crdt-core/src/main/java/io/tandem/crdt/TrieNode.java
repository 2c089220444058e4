package io.tandem.crdt;

import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * A node of a {@link HashTrie}, with the walks down one trie: lookup, put, update, remove (the
 * walk down two tries at once is {@link TrieMerge}). Above LAST_SHIFT its content is [k0, v0,
 * k1, v1, ..., child0, child1, ...], entries and children each in bit order; below, it is a
 * collision node holding only entries, with both bitmaps 0. Only a node whose owner is the
 * caller's may change after construction.
 */
final class TrieNode {

  /** Hash bits read per level. */
  static final int BITS = 5;
  /** The deepest shift that still reads hash bits; nodes below it are collision nodes. */
  static final int LAST_SHIFT = 30;
  /** Seven bitmap levels (shifts 0 to 30) and the collision level. */
  static final int LEVELS = 8;

  static final TrieNode EMPTY = new TrieNode(null, 0, 0, new Object[0], 0);

  final Object owner;
  int dataMap;
  int nodeMap;
  int size;
  Object[] content;

  TrieNode(Object owner, int dataMap, int nodeMap, Object[] content, int size) {
    this.owner = owner;
    this.dataMap = dataMap;
    this.nodeMap = nodeMap;
    this.content = content;
    this.size = size;
  }

  Object get(Object key, int hash) {
    TrieNode n = this;
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

  TrieNode put(Object owner, Object key, Object value, int hash, int shift) {
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
      TrieNode child = pair(owner, k, content[i + 1], hash(k), key, value, hash, shift + BITS);
      int j = 2 * Integer.bitCount(dataMap) - 2 + index(nodeMap, bit);
      return with(owner, dataMap ^ bit, nodeMap | bit, entryToChild(i, j, child), size + 1);
    }
    if ((nodeMap & bit) != 0) {
      TrieNode child = child(bit);
      return setChild(owner, bit, child.size, child.put(owner, key, value, hash, shift + BITS));
    }
    Object[] c = insertEntry(2 * index(dataMap, bit), key, value);
    return with(owner, dataMap | bit, nodeMap, c, size + 1);
  }

  /**
   * {@link HashTrie#update}: persistent, so every changed node is a copy. The new value is
   * {@code f.apply(current, arg)}: the argument travels down beside a function that captures
   * nothing, so a merge's update allocates no function object.
   */
  TrieNode update(Object key, int hash, int shift, BiFunction<Object, Object, Object> f,
      Object arg) {
    if (shift > LAST_SHIFT) {
      int i = collisionIndex(key);
      Object cur = i < 0 ? null : content[i + 1];
      Object v = f.apply(cur, arg);
      if (v == cur) {
        return this;
      }
      return v == null ? with(null, 0, 0, removeEntry(i), size - 1)
          : i < 0 ? with(null, 0, 0, insertEntry(content.length, key, v), size + 1)
          : setValue(null, i, v);
    }
    int bit = bit(hash, shift);
    if ((nodeMap & bit) != 0) {
      TrieNode child = child(bit);
      TrieNode updated = child.update(key, hash, shift + BITS, f, arg);
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
    Object v = f.apply(cur, arg);
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

  TrieNode remove(Object owner, Object key, int hash, int shift) {
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
    TrieNode child = child(bit);
    int before = child.size;
    TrieNode updated = child.remove(owner, key, hash, shift + BITS);
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
      ((TrieNode) content[i]).forEach(action, shift + BITS);
    }
  }

  /** Whether collision nodes a and b hold equal keys with equal, or identical, values. */
  static boolean holdsAll(TrieNode a, TrieNode b, boolean identical) {
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
  static boolean equal(TrieNode a, TrieNode b, int shift) {
    if (a == b || a.size != b.size || a.dataMap != b.dataMap || a.nodeMap != b.nodeMap) {
      return a == b;
    }
    if (shift > LAST_SHIFT) {
      return holdsAll(a, b, false);
    }
    int end = a.dataEnd(shift);
    for (int i = 0; i < a.content.length; i++) {
      boolean same = i < end ? eq(a.content[i], b.content[i])
          : equal((TrieNode) a.content[i], (TrieNode) b.content[i], shift + BITS);
      if (!same) {
        return false;
      }
    }
    return true;
  }

  /** A subtree holding two entries with different keys, starting at {@code shift}. */
  static TrieNode pair(Object owner, Object k1, Object v1, int h1, Object k2, Object v2, int h2,
      int shift) {
    if (shift > LAST_SHIFT) {
      return new TrieNode(owner, 0, 0, new Object[] {k1, v1, k2, v2}, 2);
    }
    int f1 = (h1 >>> shift) & 31;
    int f2 = (h2 >>> shift) & 31;
    if (f1 == f2) {
      TrieNode child = pair(owner, k1, v1, h1, k2, v2, h2, shift + BITS);
      return new TrieNode(owner, 0, 1 << f1, new Object[] {child}, 2);
    }
    Object[] c = f1 < f2 ? new Object[] {k1, v1, k2, v2} : new Object[] {k2, v2, k1, v1};
    return new TrieNode(owner, (1 << f1) | (1 << f2), 0, c, 2);
  }

  /**
   * A one-entry node at {@code shift}, which is not canonical: merge uses it to meet a subtree
   * on the other side, and the parent inlines it again if it comes back alone.
   */
  static TrieNode singleton(Object k, Object v, int shift) {
    int dataMap = shift > LAST_SHIFT ? 0 : bit(hash(k), shift);
    return new TrieNode(null, dataMap, 0, new Object[] {k, v}, 1);
  }

  int dataEnd(int shift) {
    return shift > LAST_SHIFT ? content.length : 2 * Integer.bitCount(dataMap);
  }

  TrieNode child(int bit) {
    return (TrieNode) content[childSlot(bit)];
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
  private TrieNode with(Object owner, int dataMap, int nodeMap, Object[] content, int size) {
    if (!ownedBy(owner)) {
      return new TrieNode(owner, dataMap, nodeMap, content, size);
    }
    this.dataMap = dataMap;
    this.nodeMap = nodeMap;
    this.content = content;
    this.size = size;
    return this;
  }

  private TrieNode setValue(Object owner, int i, Object value) {
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
  private TrieNode setChild(Object owner, int bit, int before, TrieNode updated) {
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
  private Object[] entryToChild(int i, int j, TrieNode child) {
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


  /** Spreads the high bits down, since the top levels read the low bits first. */
  static int hash(Object key) {
    int h = key.hashCode();
    return h ^ (h >>> 16);
  }

  static int bit(int hash, int shift) {
    return 1 << ((hash >>> shift) & 31);
  }

  /** The rank of {@code bit} among the bits set in {@code map}. */
  static int index(int map, int bit) {
    return Integer.bitCount(map & (bit - 1));
  }

  static boolean eq(Object a, Object b) {
    return a == b || a.equals(b);
  }

  /**
   * Whether the stored key {@code k} equals {@code key}, whose spread hash is {@code hash}. A
   * lookup of an absent key mostly ends at a stranger's slot; the stranger's cached hash (a
   * String keeps it in its header) rules it out without reading its characters, a cache miss
   * less per lookup in a large trie.
   */
  static boolean same(Object key, int hash, Object k) {
    return key == k || hash(k) == hash && key.equals(k);
  }
}
