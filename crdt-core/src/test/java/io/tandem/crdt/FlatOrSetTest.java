package io.tandem.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.tandem.crdt.codec.BinaryCodec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A packed set is the same value as the trie set the same operations make. */
class FlatOrSetTest {

  private static final ReplicaId A = ReplicaId.of(1);
  private static final ReplicaId B = ReplicaId.of(2);
  private static final Object[] ELEMENTS = {"e1", "e2", "", "été", "日本", "😀x", 7, -7, 7L,
      Long.MIN_VALUE, 0.5, -0.0, 0.0, Double.NaN, true, false, "7", "a much longer element, "
      + "longer than a hundred and twenty-seven characters so that its length takes two bytes "
      + "of varint in the packed pool, which is the point of it"};

  private int packAt;

  @BeforeEach
  void remember() {
    packAt = OrSet.packAt;
  }

  @AfterEach
  void restore() {
    OrSet.packAt = packAt;
  }

  /** Runs ops on two replicas that sync now and then; returns every value made, in order. */
  private static List<OrSet<Object>> run(List<Integer> ops, int packFrom) {
    OrSet.packAt = packFrom;
    OrSet<Object> a = OrSet.empty();
    OrSet<Object> b = OrSet.empty();
    List<OrSet<Object>> out = new ArrayList<>();
    for (int op : ops) {
      Object e = ELEMENTS[Math.floorMod(op >> 4, ELEMENTS.length)];
      boolean onA = (op & 1) == 0;
      OrSet<Object> s = onA ? a : b;
      OrSet<Object> d;
      switch ((op >> 1) & 7) {
        case 0:
          d = s.remove(e);
          break;
        case 1:
          d = s.addAll(onA ? A : B, List.of(e, ELEMENTS[Math.floorMod(op >> 8, ELEMENTS.length)]));
          break;
        case 2:
          // Sync: each side takes the other's whole state.
          OrSet<Object> na = a.merge(b);
          b = b.merge(a);
          a = na;
          out.add(a);
          out.add(b);
          continue;
        case 3:
          d = (op & 0x10000) != 0 ? s.clear() : s.remove(e);
          break;
        default:
          d = s.add(onA ? A : B, e);
      }
      out.add(d);
      s = s.merge(d);
      out.add(s);
      if (onA) {
        a = s;
      } else {
        b = s;
      }
    }
    return out;
  }

  @Test
  void packedSetsEqualTrieSetsUnderAnyHistory() {
    qt().withExamples(Examples.COUNT / 2)
        .forAll(lists().of(integers().between(0, 1 << 17)).ofSizeBetween(1, 120))
        .checkAssert(ops -> {
          List<OrSet<Object>> packed = run(ops, 0);
          List<OrSet<Object>> tries = run(ops, Integer.MAX_VALUE);
          for (int i = 0; i < packed.size(); i++) {
            OrSet<Object> p = packed.get(i);
            OrSet<Object> t = tries.get(i);
            assertThat(p).isEqualTo(t);
            assertThat(p.hashCode()).isEqualTo(t.hashCode());
            assertThat(p.size()).isEqualTo(t.size());
            assertThat(p.elements()).isEqualTo(t.elements());
            for (Object e : ELEMENTS) {
              assertThat(p.contains(e)).isEqualTo(t.contains(e));
              assertThat(p.dotsOf(e)).isEqualTo(t.dotsOf(e));
            }
            assertThat(BinaryCodec.encode(p)).isEqualTo(BinaryCodec.encode(t));
          }
        });
  }

  @Test
  void aBigStateIsPackedAndItsDeltasAreNot() {
    OrSet<String> s = added(1000);
    assertThat(s.isPacked()).isTrue();
    assertThat(s.add(A, "x").isPacked()).isFalse();
    assertThat(s.size()).isEqualTo(1000);
  }

  @Test
  void everyOldVersionKeepsItsValueWhileOthersAreEditedAndRead() {
    OrSet.packAt = 4;
    Random rnd = new Random(11);
    List<OrSet<String>> versions = new ArrayList<>();
    List<Set<String>> expected = new ArrayList<>();
    versions.add(OrSet.empty());
    expected.add(Set.of());
    for (int step = 0; step < 3000; step++) {
      // Branch from any version, often an old one: that reroots the shared table back and forth.
      int from = rnd.nextInt(4) == 0 ? rnd.nextInt(versions.size()) : versions.size() - 1;
      OrSet<String> s = versions.get(from);
      String e = "e" + rnd.nextInt(200);
      OrSet<String> next = rnd.nextInt(3) == 0 ? s.merge(s.remove(e)) : s.merge(s.add(A, e));
      Set<String> model = new HashSet<>(expected.get(from));
      if (next.contains(e)) {
        model.add(e);
      } else {
        model.remove(e);
      }
      versions.add(next);
      expected.add(model);
      int probe = rnd.nextInt(versions.size());
      assertThat(versions.get(probe).elements()).isEqualTo(expected.get(probe));
    }
    for (int i = 0; i < versions.size(); i++) {
      assertThat(versions.get(i).elements()).as("version %s", i).isEqualTo(expected.get(i));
    }
  }

  @Test
  void aSetEmptiedByRemovesIsCopiedAndItsOldVersionsStay() {
    OrSet.packAt = 4;
    OrSet<String> full = added(500);
    OrSet<String> s = full;
    for (int i = 0; i < 480; i++) {
      s = s.merge(s.remove("e" + i));
    }
    assertThat(s.size()).isEqualTo(20);
    assertThat(s.contains("e499")).isTrue();
    assertThat(full.size()).isEqualTo(500);
    assertThat(full.contains("e0")).isTrue();
    assertThat(s.merge(full)).isEqualTo(s);
  }

  @Test
  void aHeldOldVersionStaysRightWhileItsTableIsCopiedAway() {
    OrSet.packAt = 4;
    OrSet<String> s = added(100);
    OrSet<String> held = s;
    // Re-adds edit without growing the table: after more edits than entries it is copied.
    for (int round = 0; round < 100; round++) {
      for (int i = 0; i < 100; i++) {
        s = s.merge(s.add(round % 2 == 0 ? B : A, "e" + i));
      }
    }
    assertThat(held.size()).isEqualTo(100);
    assertThat(held.dotsOf("e7")).containsExactly(Dot.of(A, 8));
    assertThat(s.dotsOf("e7")).containsExactly(Dot.of(A, 5008));
    assertThat(held.merge(s)).isEqualTo(s);
  }

  @Test
  void threadsReadingDifferentVersionsEachSeeTheirOwn() throws Exception {
    OrSet.packAt = 4;
    List<OrSet<String>> versions = new ArrayList<>();
    OrSet<String> s = OrSet.empty();
    for (int i = 0; i < 400; i++) {
      s = s.merge(s.add(A, "e" + i));
      versions.add(s);
    }
    OrSet<String> last = s;
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<?>> readers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        int seed = t;
        readers.add(pool.submit(() -> {
          Random rnd = new Random(seed);
          for (int k = 0; k < 3000; k++) {
            int v = rnd.nextInt(versions.size());
            OrSet<String> x = versions.get(v);
            assertThat(x.size()).isEqualTo(v + 1);
            assertThat(x.contains("e" + v)).isTrue();
            assertThat(x.contains("e" + (v + 1))).isFalse();
          }
        }));
      }
      // Meanwhile the writer goes on editing the newest version.
      Supplier<OrSet<String>> writer = () -> {
        OrSet<String> w = last;
        for (int i = 0; i < 2000; i++) {
          w = w.merge(w.add(B, "w" + i));
        }
        return w;
      };
      assertThat(writer.get().size()).isEqualTo(2400);
      for (Future<?> r : readers) {
        r.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** A set of e0..e(n-1), each added by A and merged in as a replica does. */
  private static OrSet<String> added(int n) {
    OrSet<String> s = OrSet.empty();
    for (int i = 0; i < n; i++) {
      s = s.merge(s.add(A, "e" + i));
    }
    return s;
  }
}
