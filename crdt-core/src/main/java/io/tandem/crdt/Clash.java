package io.tandem.crdt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What an {@link OrMap} key holds when replicas wrote values of different kinds under it (an app
 * bug, or a forged delta): one store per kind, each joined on its own, as in a product of
 * lattices. Nothing is thrown away, so later merges agree everywhere; the map shows the store of
 * the highest kind. With no store at all it is the removal marker of a delta.
 */
final class Clash {

  static final Clash MARKER = new Clash(new DotStore[0]);

  final DotStore[] stores; // sorted by kind, distinct kinds, never exactly one

  private Clash(DotStore[] stores) {
    this.stores = stores;
  }

  /** A slot's stores: one store alone, or those of a clash. */
  static DotStore[] storesOf(Object slot) {
    return slot instanceof Clash c ? c.stores : new DotStore[] {(DotStore) slot};
  }

  /** The slot for stores sorted by distinct kind, bottoms dropped: a store, a clash or MARKER. */
  static Object slotOf(List<DotStore> stores) {
    List<DotStore> live = new ArrayList<>(stores.size());
    for (DotStore s : stores) {
      if (!s.isBottom()) {
        live.add(s);
      }
    }
    if (live.isEmpty()) {
      return MARKER;
    }
    if (live.size() == 1) {
      return live.get(0);
    }
    return new Clash(live.toArray(new DotStore[0]));
  }

  static boolean isEmpty(Object slot) {
    return slot == MARKER || slot instanceof Clash c && c.stores.length == 0;
  }

  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof Clash c && Arrays.equals(stores, c.stores);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(stores);
  }

  @Override
  public String toString() {
    return stores.length == 0 ? "Removed" : "Clash" + Arrays.toString(stores);
  }
}
