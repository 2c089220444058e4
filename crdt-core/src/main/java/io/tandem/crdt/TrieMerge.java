package io.tandem.crdt;

import static io.tandem.crdt.TrieNode.BITS;
import static io.tandem.crdt.TrieNode.EMPTY;
import static io.tandem.crdt.TrieNode.LAST_SHIFT;
import static io.tandem.crdt.TrieNode.LEVELS;
import static io.tandem.crdt.TrieNode.eq;
import static io.tandem.crdt.TrieNode.hash;
import static io.tandem.crdt.TrieNode.holdsAll;
import static io.tandem.crdt.TrieNode.index;
import static io.tandem.crdt.TrieNode.pair;
import static io.tandem.crdt.TrieNode.singleton;

import java.util.Arrays;
import java.util.function.BiFunction;

/**
 * The merge walk of {@link HashTrie#merge} and {@link HashTrie#transform}: two tries side by side,
 * bitmap position by bitmap position, the result built bottom-up.
 */
final class TrieMerge {

  private TrieMerge() {}

  static TrieNode merge(TrieNode l, TrieNode r, int shift, MergeOp op) {
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
        TrieNode lc = l.child(bit);
        if ((r.dataMap & bit) != 0) {
          TrieNode rs = singleton(r.content[j], r.content[j + 1], below);
          a.addChild(bit, merge(lc, rs, below, op));
        } else if ((r.nodeMap & bit) != 0) {
          a.addChild(bit, merge(lc, r.child(bit), below, op));
        } else {
          a.addChild(bit, op.leftOnly == null ? lc : merge(lc, EMPTY, below, op));
        }
      } else if ((r.dataMap & bit) != 0) {
        a.addEntry(bit, r.content[j], op.right(r.content[j], r.content[j + 1]));
      } else {
        TrieNode rc = r.child(bit);
        a.addChild(bit, op.rightOnly == null ? rc : merge(EMPTY, rc, below, op));
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
  private static TrieNode mergeCollisions(TrieNode l, TrieNode r, MergeOp op) {
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
    TrieNode m = new TrieNode(null, 0, 0, Arrays.copyOf(out, n), n / 2);
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


  /**
   * Rebuilds one bitmap node slot by slot, in bit order, and yields an input node itself when the
   * slots came out identical to it, so unchanged subtrees allocate nothing.
   */
  private static final class Assembler {
    private final Object[] entries = new Object[64];
    private final TrieNode[] children = new TrieNode[32];
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
    void addChild(int bit, TrieNode child) {
      if (child.size == 1) {
        addEntry(bit, child.content[0], child.content[1]);
      } else if (child.size > 1) {
        nodeMap |= bit;
        children[childCount++] = child;
        size += child.size;
      }
    }

    TrieNode finish(TrieNode l, TrieNode r) {
      if (matches(l)) {
        return l;
      }
      if (matches(r)) {
        return r;
      }
      Object[] c = Arrays.copyOf(entries, entryEnd + childCount);
      System.arraycopy(children, 0, c, entryEnd, childCount);
      return new TrieNode(null, dataMap, nodeMap, c, size);
    }

    private boolean matches(TrieNode n) {
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
  static final class MergeOp {
    final HashTrie.Merger<Object, Object> merger;
    /** What becomes of a key one side holds alone; null keeps it, and its subtree unvisited. */
    final BiFunction<Object, Object, Object> leftOnly;
    final BiFunction<Object, Object, Object> rightOnly;
    /** Level d is busy while level d + 1 works, so one assembler per level suffices. */
    private final Assembler[] levels = new Assembler[LEVELS];

    MergeOp(HashTrie.Merger<Object, Object> merger, BiFunction<Object, Object, Object> leftOnly,
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
}
