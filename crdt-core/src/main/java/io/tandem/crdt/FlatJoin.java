package io.tandem.crdt;

/**
 * The joins of a {@link FlatSet} state with another side, element by element as the slots of
 * its type join them ({@link OrSet#SLOTS} or {@link OrMap#SLOTS}): an element on both sides
 * keeps the dots in both and those each side has not seen; an element on one side keeps the
 * dots the other side has not seen.
 */
final class FlatJoin {

  private FlatJoin() {}

  /**
   * The state {@code s} (context {@code mine}) joined with a complete delta: only the elements
   * the delta mentions can change (see {@link DotMaps}), so only those are visited.
   */
  static FlatSet absorb(FlatSet s, CausalContext mine, HashTrie<?, Object> delta,
      CausalContext theirs, DotMaps.Slots slots) {
    return s.edit(e -> delta.forEach((k, ds) -> joinOne(e, null, k, ds, mine, theirs, slots)));
  }

  /** The state {@code s} joined with a state held as a trie. */
  static FlatSet join(FlatSet s, CausalContext mine, HashTrie<?, Object> other,
      CausalContext theirs, DotMaps.Slots slots) {
    return s.edit(e -> {
      FlatTable t = e.table();
      boolean[] met = new boolean[t.count];
      other.forEach((k, ds) -> joinOne(e, met, k, ds, mine, theirs, slots));
      dropSeen(e, met, theirs, slots);
    });
  }

  /** The state {@code s} joined with the state {@code o}, both flat. */
  static FlatSet join(FlatSet s, CausalContext mine, FlatSet o, CausalContext theirs,
      DotMaps.Slots slots) {
    return s.edit(o, (e, ot) -> {
      FlatTable t = e.table();
      boolean[] met = new boolean[t.count];
      for (int j = 0; j < ot.count; j++) {
        if (!ot.isLive(j)) {
          continue;
        }
        int i = t.find(ot, j);
        if (i >= 0 && i < met.length) {
          met[i] = true;
          if (t.sameDot(i, ot, j)) {
            continue; // the common case of two replicas that saw the same add
          }
        }
        Object n = joined(i < 0 ? null : t.dots(i), ot.dots(j), mine, theirs, slots);
        if (n != null) {
          if (i < 0) {
            e.insert(ot, j, n);
          } else {
            e.set(i, n);
          }
        }
      }
      dropSeen(e, met, theirs, slots);
    });
  }

  /** Joins {@code ds} into element {@code k}; marks its entry in {@code met}, if given. */
  private static void joinOne(FlatSet.Edit e, boolean[] met, Object k, Object ds,
      CausalContext mine, CausalContext theirs, DotMaps.Slots slots) {
    FlatTable t = e.table();
    int h = k.hashCode();
    int i = t.find(k, h);
    if (met != null && i >= 0 && i < met.length) {
      met[i] = true;
    }
    Object n = joined(i < 0 ? null : t.dots(i), ds, mine, theirs, slots);
    if (n != null) {
      e.put(i, k, h, n);
    }
  }

  /**
   * What an element's dots {@code cur} (null if it has none here) become with {@code ds} joined
   * in, or null if they stay as they are.
   */
  private static Object joined(Object cur, Object ds, CausalContext mine, CausalContext theirs,
      DotMaps.Slots slots) {
    if (cur == null) {
      Object kept = slots.keepUnseen(ds, mine);
      return slots.isEmpty(kept) ? null : kept;
    }
    Object j = slots.join(cur, mine, false, ds, theirs, false);
    return j.equals(cur) ? null : j;
  }

  /** Elements only this side holds keep the dots the other side has not seen. */
  private static void dropSeen(FlatSet.Edit e, boolean[] met, CausalContext theirs,
      DotMaps.Slots slots) {
    FlatTable t = e.table();
    for (int i = 0; i < met.length; i++) {
      if (!met[i] && t.isLive(i) && t.anySeen(i, theirs)) {
        e.set(i, slots.keepUnseen(t.dots(i), theirs));
      }
    }
  }
}
