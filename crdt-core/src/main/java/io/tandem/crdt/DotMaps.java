package io.tandem.crdt;

import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * The causal join of two maps from keys to nested dot stores (Almeida et al. §5.2, "DotMap"),
 * shared by {@link OrSet} (nested stores are dot sets) and {@link OrMap} (nested stores are CRDTs).
 */
final class DotMaps {

  private DotMaps() {}

  /**
   * The keys of {@code entries} that hold a store, as an unmodifiable view: removal markers (only
   * in deltas) are skipped.
   */
  static <K> Set<K> liveKeys(HashTrie<K, Object> entries, Slots slots, IntSupplier size) {
    return new AbstractSet<>() {
      @Override
      public Iterator<K> iterator() {
        Iterator<Map.Entry<K, Object>> it = entries.iterator();
        return new Iterator<>() {
          K next = advance();

          private K advance() {
            while (it.hasNext()) {
              Map.Entry<K, Object> e = it.next();
              if (!slots.isEmpty(e.getValue())) {
                return e.getKey();
              }
            }
            return null;
          }

          @Override
          public boolean hasNext() {
            return next != null;
          }

          @Override
          public K next() {
            if (next == null) {
              throw new NoSuchElementException();
            }
            K r = next;
            next = advance();
            return r;
          }
        };
      }

      @Override
      public boolean contains(Object o) {
        Object s = entries.get(o);
        return s != null && !slots.isEmpty(s);
      }

      @Override
      public int size() {
        return size.getAsInt();
      }
    };
  }

  private static final int SMALL = 32;

  private static boolean isSmallBeside(HashTrie<?, Object> small, HashTrie<?, Object> big) {
    return small.size() <= SMALL && small.size() * 8 <= big.size();
  }

  /**
   * The join where {@code small} is complete and {@code big} is not: keys only {@code big} has
   * stay as they are; each key of {@code small} is joined and put. The result is a state, so a
   * key that ends up empty goes.
   */
  private static <K> HashTrie<K, Object> absorb(
      HashTrie<K, Object> big, CausalContext cBig, boolean bigComplete,
      HashTrie<K, Object> small, CausalContext cSmall, boolean smallComplete,
      boolean bigIsLeft, Slots slots) {
    if (small.size() == 1) {
      // The common case, one add or update: no iterator, no entry object.
      return absorbOne(big, cBig, bigComplete, small.onlyKey(), small.onlyValue(), cSmall,
          smallComplete, bigIsLeft, slots);
    }
    HashTrie<K, Object> out = big;
    for (java.util.Iterator<Map.Entry<K, Object>> it = small.iterator(); it.hasNext(); ) {
      Map.Entry<K, Object> e = it.next();
      out = absorbOne(out, cBig, bigComplete, e.getKey(), e.getValue(), cSmall, smallComplete,
          bigIsLeft, slots);
    }
    return out;
  }

  /** {@code big} with the key of the small side joined in. */
  private static <K> HashTrie<K, Object> absorbOne(
      HashTrie<K, Object> big, CausalContext cBig, boolean bigComplete,
      K key, Object theirs, CausalContext cSmall, boolean smallComplete,
      boolean bigIsLeft, Slots slots) {
    return big.update(key, mine -> {
      Object joined;
      if (mine == null) {
        joined = slots.keepUnseen(theirs, cBig);
      } else if (bigIsLeft) {
        joined = slots.join(mine, cBig, bigComplete, theirs, cSmall, smallComplete);
      } else {
        joined = slots.join(theirs, cSmall, smallComplete, mine, cBig, bigComplete);
      }
      return slots.isEmpty(joined) ? null : joined;
    });
  }

  /** What a key maps to, and how two of them join. */
  interface Slots {
    Object join(Object l, CausalContext cl, boolean lc, Object r, CausalContext cr, boolean rc);

    Object keepUnseen(Object s, CausalContext seen);

    boolean isEmpty(Object s);

    Object marker();
  }

  /*
   * A key present on one side only keeps the dots the other side has not seen. Checking that for
   * every key would make merging a one-element delta into a million-element state cost a million
   * lookups. Deltas produced by our mutators are "complete": their store mentions every key whose
   * dots their context covers (a removal leaves a marker under its key). Because a dot is issued
   * once, for one key, a complete side cannot affect keys it does not mention; the walk then
   * reuses the other side's untouched subtrees as they are. When both sides are complete, the
   * result is complete too and keeps markers for keys that ended up empty.
   */
  static <K> HashTrie<K, Object> join(
      HashTrie<K, Object> l, CausalContext cl, boolean lc,
      HashTrie<K, Object> r, CausalContext cr, boolean rc, Slots slots) {
    // A mutator's delta names a key or two; put those into the big side one by one (O(depth)
    // each) rather than walk both tries slot by slot.
    if (rc && !lc && isSmallBeside(r, l)) {
      return absorb(l, cl, lc, r, cr, rc, true, slots);
    }
    if (lc && !rc && isSmallBeside(l, r)) {
      return absorb(r, cr, rc, l, cl, lc, false, slots);
    }
    boolean complete = lc && rc;
    return HashTrie.merge(l, r, new HashTrie.Merger<>() {
      @Override
      public Object both(K key, Object a, Object b) {
        return orMarker(slots.join(a, cl, lc, b, cr, rc));
      }

      @Override
      public Object leftOnly(K key, Object a) {
        return rc ? a : orMarker(slots.keepUnseen(a, cr));
      }

      @Override
      public Object rightOnly(K key, Object b) {
        return lc ? b : orMarker(slots.keepUnseen(b, cl));
      }

      @Override
      public boolean keepsLeftOnly() {
        return rc;
      }

      @Override
      public boolean keepsRightOnly() {
        return lc;
      }

      private Object orMarker(Object s) {
        return !slots.isEmpty(s) ? s : complete ? slots.marker() : null;
      }
    });
  }
}
