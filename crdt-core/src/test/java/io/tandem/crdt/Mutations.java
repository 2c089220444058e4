package io.tandem.crdt;

import java.util.List;

/** How to drive one CRDT type from an op code, for generated histories. */
interface Mutations<T extends Crdt<T>> {

  T bottom();

  /** The delta of one mutation chosen by {@code code} at replica {@code self} with clock {@code now}. */
  T mutate(T state, ReplicaId self, Hlc now, int code);

  ReplicaId A = ReplicaId.of(0xA1L);
  ReplicaId B = ReplicaId.of(0xB2L);
  ReplicaId C = ReplicaId.of(0xC3L);
  ReplicaId D = ReplicaId.of(0xD4L);
  List<ReplicaId> REPLICAS = List.of(A, B, C, D);

  static Mutations<OrSet<Integer>> orSet() {
    return new Mutations<>() {
      @Override
      public OrSet<Integer> bottom() {
        return OrSet.empty();
      }

      @Override
      public OrSet<Integer> mutate(OrSet<Integer> s, ReplicaId self, Hlc now, int code) {
        int e = (code >>> 4) % 5;
        return switch (code & 15) {
          case 0 -> s.clear();
          case 1, 2, 3, 4, 5, 6 -> s.remove(e);
          case 7 -> s.addAll(self, List.of(e, e + 1));
          default -> s.add(self, e);
        };
      }
    };
  }

  /**
   * An OR-Set over many elements, so that states grow far beyond the deltas merged into them:
   * the shape that takes the small-delta path of the causal join.
   */
  static Mutations<OrSet<Integer>> wideOrSet() {
    return new Mutations<>() {
      @Override
      public OrSet<Integer> bottom() {
        return OrSet.empty();
      }

      @Override
      public OrSet<Integer> mutate(OrSet<Integer> s, ReplicaId self, Hlc now, int code) {
        int e = (code >>> 4) % 300;
        return switch (code & 15) {
          case 0 -> s.clear();
          case 1, 2, 3 -> s.remove(e % 40);
          case 4, 5 -> s.remove(e);
          default -> s.add(self, e % (code % 3 == 0 ? 40 : 300));
        };
      }
    };
  }

  /** An LWW map over many keys, with removals, for the same reason. */
  static Mutations<OrMap<Integer, LwwRegister<String>>> wideOrMap() {
    return new Mutations<>() {
      @Override
      public OrMap<Integer, LwwRegister<String>> bottom() {
        return OrMap.empty();
      }

      @Override
      public OrMap<Integer, LwwRegister<String>> mutate(OrMap<Integer, LwwRegister<String>> m,
          ReplicaId self, Hlc now, int code) {
        int k = (code >>> 4) % 200;
        return (code & 7) < 2 ? m.remove(k % 30)
            : m.update(self, k % (code % 3 == 0 ? 30 : 200), LwwRegister.empty(),
                r -> r.assign(now, "v" + code % 7));
      }
    };
  }

  static Mutations<MvRegister<String>> mvRegister() {
    return new Mutations<>() {
      @Override
      public MvRegister<String> bottom() {
        return MvRegister.empty();
      }

      @Override
      public MvRegister<String> mutate(MvRegister<String> s, ReplicaId self, Hlc now, int code) {
        return (code & 7) == 0 ? s.clear() : s.assign(self, "v" + (code >>> 3) % 4);
      }
    };
  }

  static Mutations<LwwRegister<String>> lwwRegister() {
    return new Mutations<>() {
      @Override
      public LwwRegister<String> bottom() {
        return LwwRegister.empty();
      }

      @Override
      public LwwRegister<String> mutate(LwwRegister<String> s, ReplicaId self, Hlc now,
          int code) {
        return s.assign(now, "v" + code % 5);
      }
    };
  }

  static Mutations<GCounter> gCounter() {
    return new Mutations<>() {
      @Override
      public GCounter bottom() {
        return GCounter.empty();
      }

      @Override
      public GCounter mutate(GCounter s, ReplicaId self, Hlc now, int code) {
        return s.increment(self, code % 4);
      }
    };
  }

  static Mutations<PnCounter> pnCounter() {
    return new Mutations<>() {
      @Override
      public PnCounter bottom() {
        return PnCounter.empty();
      }

      @Override
      public PnCounter mutate(PnCounter s, ReplicaId self, Hlc now, int code) {
        return s.increment(self, code % 7 - 3);
      }
    };
  }

  /**
   * A note-like heterogeneous map: LWW fields, an OR-Set of tags, a multi-value body, a counter,
   * a nested map of contacts, and key removals, all racing.
   */
  static Mutations<OrMap<String, Crdt<?>>> orMap() {
    return new Mutations<>() {
      @Override
      public OrMap<String, Crdt<?>> bottom() {
        return OrMap.empty();
      }

      @Override
      public OrMap<String, Crdt<?>> mutate(OrMap<String, Crdt<?>> m, ReplicaId self, Hlc now,
          int code) {
        int arg = code >>> 4;
        return switch (code & 15) {
          case 0, 1 -> m.update(self, "title", LwwRegister.<String>empty(),
              r -> r.assign(now, "t" + arg % 4));
          case 2, 3 -> m.update(self, "tags", OrSet.<String>empty(),
              t -> t.add(self, "g" + arg % 3));
          case 4 -> m.update(self, "tags", OrSet.<String>empty(), t -> t.remove("g" + arg % 3));
          case 5 -> m.update(self, "body", MvRegister.<String>empty(),
              r -> r.assign(self, "b" + arg % 3));
          case 6 -> m.update(self, "likes", GCounter.empty(), c -> c.increment(self, 1));
          case 7 -> m.update(self, "contacts", OrMap.<String, Crdt<?>>empty(),
              c -> c.update(self, "c" + arg % 3, LwwRegister.<String>empty(),
                  r -> r.assign(now, "n" + arg % 5)));
          case 8 -> m.update(self, "contacts", OrMap.<String, Crdt<?>>empty(),
              c -> c.remove("c" + arg % 3));
          case 9 -> m.update(self, "k" + arg % 4, PnCounter.empty(), c -> c.increment(self, 2));
          case 10 -> m.remove("k" + arg % 4);
          case 11 -> m.remove(new String[] {"title", "tags", "body", "contacts"}[arg % 4]);
          // Different kinds under one key: an app bug that must still converge.
          case 12 -> m.update(self, "k" + arg % 4, OrSet.<String>empty(),
              t -> t.add(self, "x"));
          default -> m.update(self, "k" + arg % 4, LwwRegister.<String>empty(),
              r -> r.assign(now, "w" + arg % 3));
        };
      }
    };
  }
}
