package io.tandem.crdt.codec;

import io.tandem.crdt.DotFun;
import io.tandem.crdt.DotStore;
import io.tandem.crdt.GCounter;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.MvRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.PnCounter;

/**
 * The kinds of store an {@link OrMap} key can hold, with their binary tag and JSON name. Tags
 * follow the maps' own kind ranks, so ascending tags are the order in which a key's stores sort.
 */
enum StoreKind {
  MV_REGISTER(1, "mv-register"),
  OR_SET(2, "or-set"),
  OR_MAP(3, "or-map"),
  LWW_REGISTER(10, "lww-register"),
  G_COUNTER(11, "g-counter"),
  PN_COUNTER(12, "pn-counter");

  final int tag;
  final String jsonName;

  StoreKind(int tag, String jsonName) {
    this.tag = tag;
    this.jsonName = jsonName;
  }

  /** Whether stores of this kind are dot functions over an embedded CRDT. */
  boolean isDotFun() {
    return tag >= 10;
  }

  static StoreKind of(DotStore store) {
    if (store instanceof MvRegister) {
      return MV_REGISTER;
    }
    if (store instanceof OrSet) {
      return OR_SET;
    }
    if (store instanceof OrMap) {
      return OR_MAP;
    }
    // A dot function is never empty, and all its values are of one type.
    Object v = ((DotFun<?>) store).entries().values().iterator().next();
    if (v instanceof LwwRegister) {
      return LWW_REGISTER;
    }
    if (v instanceof GCounter) {
      return G_COUNTER;
    }
    if (v instanceof PnCounter) {
      return PN_COUNTER;
    }
    throw new IllegalArgumentException("unknown store " + store);
  }

  static StoreKind ofTag(int tag) {
    for (StoreKind k : values()) {
      if (k.tag == tag) {
        return k;
      }
    }
    return null;
  }

  static StoreKind ofName(String name) {
    for (StoreKind k : values()) {
      if (k.jsonName.equals(name)) {
        return k;
      }
    }
    return null;
  }
}
