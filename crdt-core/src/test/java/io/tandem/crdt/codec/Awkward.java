package io.tandem.crdt.codec;

import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Generators of values with awkward contents, built through the public API only: scalars of
 * every type and edge (NaN, -0.0, empty and non-ASCII strings, extreme numbers), replica ids at
 * both ends of the unsigned range, huge counters and clocks. They complement the histories of
 * {@code io.tandem.crdt.Generated}, which use plain strings and ints.
 */
final class Awkward {

  /** Replica ids whose signed and unsigned orders disagree. */
  static final List<ReplicaId> REPLICAS = List.of(ReplicaId.of(1), ReplicaId.of(0xA1),
      ReplicaId.of(Long.MAX_VALUE), ReplicaId.of(Long.MIN_VALUE), ReplicaId.of(-1));

  private static final List<Object> EDGES = List.of("", "é", "日本語", "😀", "a\u0000b", "\uFFFF",
      "Aa", "BB", 0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0L, -1L, 5L, Long.MIN_VALUE,
      Long.MAX_VALUE, 0.0, -0.0, 5.0, Double.NaN, Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE, 1e-300, true, false);

  private Awkward() {}

  static Gen<Object> scalars() {
    Gen<Object> edges = Generate.pick(EDGES);
    Gen<Object> bmp = strings().betweenCodePoints(0, 0xD7FF).ofLengthBetween(0, 6).map(s -> s);
    // From code points by hand: QuickTheories' own astral strings hold unpaired surrogates.
    Gen<Object> astral = lists().of(integers().between(0x10000, 0x10FFFF)).ofSizeBetween(1, 3)
        .map(cps -> cps.stream().collect(StringBuilder::new, StringBuilder::appendCodePoint,
            StringBuilder::append).toString());
    Gen<Object> ints = integers().all().map(i -> i);
    Gen<Object> longs = longs().all().map(l -> l);
    Gen<Object> doubles = doubles().any().map(d -> d);
    Gen<Object> bools = booleans().all().map(b -> b);
    return Generate.oneOf(edges, edges, bmp, astral, ints, longs, doubles, bools);
  }

  /** A run over awkward scalars: every delta and state it produced. */
  static <T> Gen<List<T>> run(Function<Script, List<T>> body) {
    return lists().of(scalars()).ofSizeBetween(0, 12).zip(longs().all(),
        (scalars, seed) -> body.apply(new Script(scalars, new Random(seed))));
  }

  /** The scalars and coin flips one run consumes. */
  record Script(List<Object> scalars, Random random) {
    ReplicaId replica() {
      return REPLICAS.get(random.nextInt(REPLICAS.size()));
    }

    Hlc clock(ReplicaId r) {
      long[] walls = {0, 1, 1_700_000_000_000L, Hlc.MAX_WALL_MILLIS - 1, Hlc.MAX_WALL_MILLIS};
      int[] logicals = {0, 1, Integer.MAX_VALUE};
      long wall = walls[random.nextInt(walls.length)];
      int logical = logicals[random.nextInt(logicals.length)];
      // The very last timestamp has no successor, so a write that must override it throws.
      return new Hlc(wall, wall == Hlc.MAX_WALL_MILLIS ? 0 : logical, r);
    }

    long count() {
      long[] counts = {1, 127, 128, 1L << 35, Long.MAX_VALUE};
      return counts[random.nextInt(counts.length)];
    }
  }

  static Gen<List<OrSet<Object>>> orSets() {
    return run(s -> {
      List<OrSet<Object>> out = new ArrayList<>();
      OrSet<Object> state = OrSet.empty();
      for (Object x : s.scalars()) {
        OrSet<Object> d = s.random().nextInt(4) == 0 && !state.isEmpty()
            ? state.remove(state.elements().iterator().next()) : state.add(s.replica(), x);
        state = state.merge(d);
        out.add(d);
      }
      out.add(state);
      return out;
    });
  }

  static Gen<List<MvRegister<Object>>> mvRegisters() {
    return run(s -> {
      List<MvRegister<Object>> out = new ArrayList<>();
      MvRegister<Object> a = MvRegister.empty();
      MvRegister<Object> b = MvRegister.empty();
      for (Object x : s.scalars()) {
        MvRegister<Object> d = a.assign(s.replica(), x);
        a = a.merge(d);
        out.add(d);
        if (s.random().nextBoolean()) {
          MvRegister<Object> t = a;
          a = b;
          b = t;
        }
      }
      out.add(a.merge(b));
      return out;
    });
  }

  static Gen<List<LwwRegister<Object>>> lwwRegisters() {
    return run(s -> {
      List<LwwRegister<Object>> out = new ArrayList<>();
      LwwRegister<Object> state = LwwRegister.empty();
      out.add(state);
      for (Object x : s.scalars()) {
        LwwRegister<Object> d = LwwRegister.of(s.clock(s.replica()), x);
        state = state.merge(d);
        out.add(d);
      }
      out.add(state);
      return out;
    });
  }

  /** Scalar keys holding registers, sets, counters and nested maps, with removals. */
  static Gen<List<OrMap<Object, Crdt<?>>>> orMaps() {
    return run(s -> {
      List<OrMap<Object, Crdt<?>>> out = new ArrayList<>();
      OrMap<Object, Crdt<?>> state = OrMap.empty();
      for (Object x : s.scalars()) {
        ReplicaId r = s.replica();
        Hlc now = s.clock(r);
        // Updates add to the current count, so keep them far from overflowing.
        long n = 1 + s.random().nextInt(1 << 20);
        OrMap<Object, Crdt<?>> d = switch (s.random().nextInt(7)) {
          case 0 -> state.update(r, x, LwwRegister.<Object>empty(), v -> v.assign(now, x));
          case 1 -> state.update(r, x, OrSet.<Object>empty(), v -> v.add(r, x));
          case 2 -> state.update(r, x, MvRegister.<Object>empty(), v -> v.assign(r, x));
          case 3 -> state.update(r, x, GCounter.empty(), v -> v.increment(r, n));
          case 4 -> state.update(r, x, PnCounter.empty(), v -> v.decrement(r, n));
          case 5 -> state.update(r, "nested", OrMap.<Object, Crdt<?>>empty(),
              v -> v.update(r, x, OrSet.<Object>empty(), t -> t.add(r, x)));
          default -> state.remove(state.keySet().isEmpty() ? x : state.keySet().iterator().next());
        };
        state = state.merge(d);
        out.add(d);
      }
      out.add(state);
      return out;
    });
  }

  static Gen<List<GCounter>> gCounters() {
    return run(s -> {
      List<GCounter> out = new ArrayList<>();
      GCounter state = GCounter.empty();
      for (int i = 0; i < s.scalars().size(); i++) {
        GCounter d = GCounter.of(VersionVector.of(s.replica(), s.count()));
        state = state.merge(d);
        out.add(d);
      }
      out.add(state);
      return out;
    });
  }

  static Gen<List<PnCounter>> pnCounters() {
    return run(s -> {
      List<PnCounter> out = new ArrayList<>();
      PnCounter state = PnCounter.empty();
      for (int i = 0; i < s.scalars().size(); i++) {
        GCounter g = GCounter.of(VersionVector.of(s.replica(), s.count()));
        PnCounter d = s.random().nextBoolean() ? PnCounter.of(g, GCounter.empty())
            : PnCounter.of(GCounter.empty(), g);
        state = state.merge(d);
        out.add(d);
      }
      out.add(state);
      return out;
    });
  }

  /** Vectors over random replica ids (including both ends of the unsigned order). */
  static Gen<List<VersionVector>> vectors() {
    return run(s -> {
      List<VersionVector> out = new ArrayList<>();
      Map<ReplicaId, Long> entries = new LinkedHashMap<>();
      out.add(VersionVector.empty());
      for (int i = 0; i < s.scalars().size(); i++) {
        long id = s.random().nextLong();
        entries.put(s.random().nextBoolean() || id == 0 ? s.replica() : ReplicaId.of(id),
            s.count());
        out.add(VersionVector.of(entries));
      }
      return out;
    });
  }

  /** Contexts with clouds: dots past the vector, out of order, on several replicas. */
  static Gen<List<CausalContext>> contexts() {
    return run(s -> {
      List<CausalContext> out = new ArrayList<>();
      CausalContext c = CausalContext.empty();
      out.add(c);
      for (int i = 0; i < s.scalars().size(); i++) {
        long counter = s.random().nextBoolean() ? 1 + s.random().nextInt(6) : s.count();
        c = c.add(Dot.of(s.replica(), counter));
        out.add(c);
      }
      return out;
    });
  }

  /** Both lists in one, so a property sees generated histories and awkward values together. */
  @SuppressWarnings("unchecked")
  static <T> List<T> concat(List<?> a, List<?> b) {
    // Widening OrSet<Integer> to OrSet<Object> is safe: the values are only read.
    List<T> all = new ArrayList<>((List<T>) a);
    all.addAll((List<T>) b);
    return all;
  }
}
