package io.tandem.crdt.codec;

import io.tandem.crdt.CausalContext;
import io.tandem.crdt.Crdt;
import io.tandem.crdt.Dot;
import io.tandem.crdt.GCounter;
import io.tandem.crdt.Hlc;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.MvRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.PnCounter;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values behind the golden vectors in codec-vectors/v1 and v2: built from fixed replica ids and
 * clocks through the public API, so they come out the same on every run. Changing one changes
 * its vector files; that is a format change and must be deliberate.
 */
final class GoldenValues {

  /** A phone, a tablet and a laptop; the tablet's id has the top bit set. */
  static final ReplicaId PHONE = ReplicaId.of(0x1d5e2a9b0c4f7a31L);
  static final ReplicaId TABLET = ReplicaId.of(0xb7c28e103f6a9d45L);
  static final ReplicaId LAPTOP = ReplicaId.of(0x42f07c6d19e3b508L);
  static final long T0 = 1_700_000_000_000L;

  private GoldenValues() {}

  /** File name (without extension) to value, in a stable order. */
  static Map<String, Object> all() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lww-register", LwwRegister.<String>empty()
        .assign(new Hlc(T0, 0, PHONE), "Groceries")
        .merge(LwwRegister.of(new Hlc(T0 + 5, 2, TABLET), "Groceries 🛒")));
    m.put("mv-register", mvRegister());
    m.put("or-set", orSet());
    m.put("or-set-delta", orSetDelta());
    m.put("or-map", orMap());
    m.put("or-map-delta", orMapDelta());
    m.put("g-counter", GCounter.of(VersionVector.of(PHONE, 3).with(TABLET, 5)));
    m.put("pn-counter", PnCounter.of(GCounter.of(VersionVector.of(PHONE, 10)),
        GCounter.of(VersionVector.of(TABLET, 4).with(LAPTOP, 1))));
    m.put("version-vector", VersionVector.of(PHONE, 3).with(TABLET, 5).with(LAPTOP, 1));
    m.put("causal-context", CausalContext.of(VersionVector.of(PHONE, 3),
        List.of(Dot.of(PHONE, 5), Dot.of(TABLET, 2))));
    return m;
  }

  /**
   * Values large enough that format v2 writes them in columns, deflated: there are no v1 vectors
   * of them.
   */
  static Map<String, Object> columnar() {
    Map<String, Object> m = new LinkedHashMap<>();
    OrSet<String> set = OrSet.empty();
    for (int i = 0; i < 300; i++) {
      ReplicaId by = i % 3 == 0 ? TABLET : PHONE;
      set = set.merge(set.add(by, "item " + (i * 7919 % 1000)));
    }
    for (int i = 0; i < 300; i += 11) {
      set = set.merge(set.remove("item " + i));
    }
    m.put("or-set-large", set);
    OrMap<String, LwwRegister<String>> map = OrMap.empty();
    for (int i = 0; i < 200; i++) {
      ReplicaId by = i % 4 == 0 ? LAPTOP : PHONE;
      Hlc at = new Hlc(T0 + i * 37L, i % 3, by);
      map = map.merge(map.update(by, "field " + (i % 150), LwwRegister.<String>empty(),
          r -> r.assign(at, "value of " + at.wallMillis())));
    }
    m.put("or-map-large", map);
    return m;
  }

  /** Every value with a v2 vector. */
  static Map<String, Object> v2() {
    Map<String, Object> m = new LinkedHashMap<>(all());
    m.putAll(columnar());
    return m;
  }

  /** Two concurrent writes of different scalar types: a conflict to show. */
  private static MvRegister<Object> mvRegister() {
    MvRegister<Object> phone = MvRegister.empty();
    MvRegister<Object> tablet = MvRegister.empty();
    phone = phone.merge(phone.assign(PHONE, "draft"));
    tablet = tablet.merge(tablet.assign(TABLET, 7));
    phone = phone.merge(phone.assign(PHONE, -0.0));
    return phone.merge(tablet);
  }

  /**
   * Adds and a remove from two replicas, with the tablet's second add arriving before its first,
   * so the context has a cloud; scalars of several types.
   */
  private static OrSet<Object> orSet() {
    OrSet<Object> phone = OrSet.empty();
    phone = phone.merge(phone.add(PHONE, "milk"));
    phone = phone.merge(phone.add(PHONE, "eggs"));
    phone = phone.merge(phone.add(PHONE, 3L));
    phone = phone.merge(phone.remove("eggs"));
    OrSet<Object> tablet = OrSet.empty();
    OrSet<Object> first = tablet.add(TABLET, "crème fraîche");
    tablet = tablet.merge(first);
    OrSet<Object> second = tablet.add(TABLET, 2.5);
    return phone.merge(second);
  }

  /** An add delta from a set that has seen 41 adds: its context is its own dot alone. */
  private static OrSet<Object> orSetDelta() {
    OrSet<Object> s = OrSet.empty();
    for (int i = 0; i < 41; i++) {
      s = s.merge(s.add(PHONE, "e" + i));
    }
    return s.add(PHONE, "e12345");
  }

  /** A note: fields of every kind, a nested map of contacts, a removed key, a kind clash. */
  private static OrMap<String, Crdt<?>> orMap() {
    OrMap<String, Crdt<?>> note = OrMap.empty();
    note = note.merge(note.update(PHONE, "title", LwwRegister.<String>empty(),
        r -> r.assign(new Hlc(T0, 0, PHONE), "Groceries")));
    note = note.merge(note.update(PHONE, "tags", OrSet.<String>empty(), t -> t.add(PHONE, "home")));
    note = note.merge(note.update(TABLET, "body", MvRegister.<String>empty(),
        r -> r.assign(TABLET, "milk, eggs")));
    note = note.merge(note.update(PHONE, "likes", GCounter.empty(), c -> c.increment(PHONE, 2)));
    note = note.merge(note.update(TABLET, "stock", PnCounter.empty(),
        c -> c.decrement(TABLET, 1)));
    note = note.merge(note.update(PHONE, "contacts", OrMap.<String, Crdt<?>>empty(),
        c -> c.update(PHONE, "ann", LwwRegister.<String>empty(),
            r -> r.assign(new Hlc(T0 + 1, 0, PHONE), "+41 79 000 00 00"))));
    note = note.merge(note.update(PHONE, "draft", LwwRegister.<String>empty(),
        r -> r.assign(new Hlc(T0 + 2, 0, PHONE), "x")));
    note = note.merge(note.remove("draft"));
    // The laptop wrote a set where the phone wrote a register: both kinds stay under "title".
    OrMap<String, Crdt<?>> laptop = OrMap.<String, Crdt<?>>empty();
    laptop = laptop.merge(laptop.update(LAPTOP, "title", OrSet.<String>empty(),
        t -> t.add(LAPTOP, "Groceries?")));
    return note.merge(laptop);
  }

  /** An update deep in the note: a contact's number changed, a delta of the nested map. */
  private static OrMap<String, Crdt<?>> orMapDelta() {
    OrMap<String, Crdt<?>> note = orMap();
    return note.update(TABLET, "contacts", OrMap.<String, Crdt<?>>empty(),
        c -> c.update(TABLET, "ann", LwwRegister.<String>empty(),
            r -> r.assign(new Hlc(T0 + 9, 0, TABLET), "+41 79 111 11 11")));
  }
}
