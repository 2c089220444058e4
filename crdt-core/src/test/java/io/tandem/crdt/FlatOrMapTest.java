package io.tandem.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.crdt.codec.JsonCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.quicktheories.core.Gen;

/** A packed map is the same value as the trie map the same operations make. */
class FlatOrMapTest {

  private static final ReplicaId A = ReplicaId.of(1);
  private static final ReplicaId B = ReplicaId.of(2);
  private static final Object[] SCALARS = {"k1", "", "été", "日本", "😀x", 7, -7, 7L, 0.5,
      -0.0, Double.NaN, true, false, "7",
      "a value longer than a hundred and twenty-seven characters, so that its length takes two"
          + " bytes of varint in a packed pool: both the key pool and the value pool"};

  /** Each test sets the size it needs; the extension puts the size back after them. */
  @RegisterExtension
  static final PackFrom PACK = PackFrom.maps(256);

  private static Object scalar(int code) {
    return SCALARS[Math.floorMod(code, SCALARS.length)];
  }

  /**
   * Runs ops on two replicas that sync now and then, by whole states or by their deltas; returns
   * every value made, in order.
   */
  private static List<OrMap<Object, Crdt<?>>> run(List<Integer> ops, int packFrom) {
    OrMap.packAt = packFrom;
    List<OrMap<Object, Crdt<?>>> replicas = new ArrayList<>(List.of(OrMap.empty(),
        OrMap.empty()));
    List<List<OrMap<Object, Crdt<?>>>> unsent = List.of(new ArrayList<>(), new ArrayList<>());
    List<OrMap<Object, Crdt<?>>> out = new ArrayList<>();
    long now = 1_000;
    for (int op : ops) {
      int side = op & 1;
      ReplicaId self = side == 0 ? A : B;
      OrMap<Object, Crdt<?>> m = replicas.get(side);
      Object key = scalar(op >> 5);
      Hlc at = new Hlc(now += (op >> 12) & 3, 0, self);
      OrMap<Object, Crdt<?>> d;
      switch ((op >> 1) & 15) {
        case 0, 1 -> d = m.remove(key);
        case 2 -> {
          // Whole states both ways.
          OrMap<Object, Crdt<?>> a = replicas.get(0).merge(replicas.get(1));
          replicas.set(1, replicas.get(1).merge(replicas.get(0)));
          replicas.set(0, a);
          out.addAll(replicas);
          continue;
        }
        case 3 -> {
          // The other side's deltas, in the order they were made.
          OrMap<Object, Crdt<?>> mine = m;
          for (OrMap<Object, Crdt<?>> x : unsent.get(1 - side)) {
            mine = mine.merge(x);
          }
          unsent.get(1 - side).clear();
          replicas.set(side, mine);
          out.add(mine);
          continue;
        }
        case 4 -> d = m.update(self, key, GCounter.empty(), c -> c.increment(self, 1));
        case 5 -> d = m.update(self, key, OrSet.<String>empty(), s -> s.add(self, "x"));
        default -> d = m.update(self, key, LwwRegister.<Object>empty(),
            r -> r.assign(at, scalar(op >> 9)));
      }
      unsent.get(side).add(d);
      out.add(d);
      m = m.merge(d);
      out.add(m);
      replicas.set(side, m);
    }
    return out;
  }

  /** Histories of two replicas: each op a code that {@link #run} reads. */
  private static final Gen<List<Integer>> HISTORIES =
      lists().of(integers().between(0, 1 << 15)).ofSizeBetween(1, 120);

  @Test
  void packedMapsEqualTrieMapsUnderAnyHistory() {
    qt().withExamples(Examples.COUNT / 2).forAll(HISTORIES).checkAssert(ops -> {
      // Packed from the first key on, against never packed.
      List<OrMap<Object, Crdt<?>>> packed = run(ops, 0);
      List<OrMap<Object, Crdt<?>>> tries = run(ops, Integer.MAX_VALUE);
      for (int i = 0; i < packed.size(); i++) {
        assertSameValue(packed.get(i), tries.get(i));
      }
    });
  }

  /** {@code p} and {@code t} are one value to every reader and every codec. */
  private static void assertSameValue(OrMap<Object, Crdt<?>> p, OrMap<Object, Crdt<?>> t) {
    assertThat(p).isEqualTo(t);
    assertThat(t).isEqualTo(p);
    assertThat(p.hashCode()).isEqualTo(t.hashCode());
    assertThat(p.size()).isEqualTo(t.size());
    assertThat(p.keySet()).isEqualTo(t.keySet());
    assertThat(p.toMap()).isEqualTo(t.toMap());
    for (Object k : SCALARS) {
      assertThat(p.get(k)).isEqualTo(t.get(k));
      assertThat(p.get(k, LwwRegister.empty())).isEqualTo(t.get(k, LwwRegister.empty()));
    }
    assertThat(BinaryCodec.encode(p)).isEqualTo(BinaryCodec.encode(t));
    assertThat(JsonCodec.encode(p)).isEqualTo(JsonCodec.encode(t));
  }

  /** {@code n} puts of {@code "k0" ..} by {@code self}, from wall time {@code from} on. */
  private static OrMap<String, LwwRegister<String>> puts(OrMap<String, LwwRegister<String>> m,
      ReplicaId self, int n, String value, long from) {
    for (int i = 0; i < n; i++) {
      Hlc at = new Hlc(from + i, 0, self);
      String v = value + i;
      m = m.merge(m.update(self, "k" + i, LwwRegister.empty(), r -> r.assign(at, v)));
    }
    return m;
  }

  @Test
  void aBigMapOfRegistersIsPackedAndItsDeltasAreNot() {
    OrMap.packAt = 100;
    OrMap<String, LwwRegister<String>> m = puts(OrMap.empty(), A, 1000, "v", 1);
    assertThat(m.isPacked()).isTrue();
    assertThat(m.remove("k1").isPacked()).isFalse();
    assertThat(m.size()).isEqualTo(1000);
    assertThat(m.get("k999").value()).isEqualTo("v999");
    assertThat(m.get("k999").timestamp()).isEqualTo(new Hlc(1000, 0, A));
  }

  @Test
  void valuesRewrittenAgainAndAgainStayRightInEveryVersionKept() {
    OrMap.packAt = 4;
    OrMap<String, LwwRegister<String>> first = puts(OrMap.empty(), A, 200, "v", 1);
    OrMap<String, LwwRegister<String>> m = first;
    List<OrMap<String, LwwRegister<String>>> kept = new ArrayList<>();
    // Each round rewrites every value with a longer one: the value pool fills with waste, and
    // the table is copied (and its values packed afresh) many times over.
    for (int round = 1; round <= 60; round++) {
      m = puts(m, round % 2 == 0 ? A : B, 200, "round " + round + " value ", 1000L * round);
      kept.add(m);
    }
    for (int round = 1; round <= 60; round++) {
      OrMap<String, LwwRegister<String>> v = kept.get(round - 1);
      assertThat(v.size()).isEqualTo(200);
      assertThat(v.get("k17").value()).isEqualTo("round " + round + " value 17");
    }
    assertThat(first.get("k17").value()).isEqualTo("v17");
    assertThat(first.merge(m)).isEqualTo(m);
    assertThat(m.merge(first)).isEqualTo(m);
  }

  @Test
  void everyOldVersionKeepsItsValueWhileOthersAreEditedAndRead() {
    OrMap.packAt = 4;
    Random rnd = new Random(17);
    List<OrMap<Integer, LwwRegister<Object>>> versions = new ArrayList<>();
    List<Map<Integer, Object>> expected = new ArrayList<>();
    versions.add(OrMap.empty());
    expected.add(Map.of());
    for (int step = 0; step < 3000; step++) {
      // Branch from any version, often an old one: that reroots the shared table back and forth.
      int from = rnd.nextInt(4) == 0 ? rnd.nextInt(versions.size()) : versions.size() - 1;
      OrMap<Integer, LwwRegister<Object>> m = versions.get(from);
      int key = rnd.nextInt(150);
      Object value = scalar(rnd.nextInt(SCALARS.length));
      Hlc at = new Hlc(step + 1, 0, A);
      Map<Integer, Object> model = new HashMap<>(expected.get(from));
      OrMap<Integer, LwwRegister<Object>> next;
      if (rnd.nextInt(4) == 0) {
        next = m.merge(m.remove(key));
        model.remove(key);
      } else {
        next = m.merge(m.update(A, key, LwwRegister.empty(), r -> r.assign(at, value)));
        model.put(key, value);
      }
      versions.add(next);
      expected.add(model);
      int probe = rnd.nextInt(versions.size());
      assertThat(values(versions.get(probe))).isEqualTo(expected.get(probe));
    }
    for (int i = 0; i < versions.size(); i++) {
      assertThat(values(versions.get(i))).as("version %s", i).isEqualTo(expected.get(i));
    }
  }

  private static Map<Integer, Object> values(OrMap<Integer, LwwRegister<Object>> m) {
    Map<Integer, Object> out = new HashMap<>();
    m.forEach((k, r) -> out.put(k, r.value()));
    return out;
  }
}
