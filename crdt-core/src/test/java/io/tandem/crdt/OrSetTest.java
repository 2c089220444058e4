package io.tandem.crdt;

import static io.tandem.crdt.Mutations.A;
import static io.tandem.crdt.Mutations.B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.tandem.crdt.codec.BinaryCodec;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OrSetTest {

  @Test
  void concurrentAddWinsOverRemove() {
    OrSet<String> base = OrSet.<String>empty();
    base = base.merge(base.add(A, "milk"));
    // A removes what it saw while B, not having seen the remove, adds again.
    OrSet<String> removal = base.remove("milk");
    OrSet<String> readd = base.add(B, "milk");
    OrSet<String> atA = base.merge(removal).merge(readd);
    OrSet<String> atB = base.merge(readd).merge(removal);
    assertThat(atA.contains("milk")).isTrue();
    assertThat(atA).isEqualTo(atB);
  }

  @Test
  void removeOfAnObservedAddRemovesIt() {
    OrSet<String> a = OrSet.<String>empty();
    a = a.merge(a.add(A, "milk"));
    OrSet<String> b = OrSet.<String>empty().merge(a);
    b = b.merge(b.remove("milk"));
    assertThat(a.merge(b).contains("milk")).isFalse();
    assertThat(b.merge(a).contains("milk")).isFalse();
  }

  @Test
  void removeWithoutHavingSeenTheAddChangesNothing() {
    OrSet<String> a = OrSet.<String>empty();
    a = a.merge(a.add(A, "milk"));
    OrSet<String> blind = OrSet.<String>empty().remove("milk");
    assertThat(a.merge(blind)).isEqualTo(a);
  }

  /**
   * A hundred thousand add/remove cycles of one element by two replicas leave the live elements
   * plus one counter per replica: no tombstone per removal, no growing cloud, a state of bytes.
   */
  @Test
  void removeLeavesNoTombstone() {
    OrSet<String> a = OrSet.empty();
    OrSet<String> b = OrSet.empty();
    for (int i = 0; i < 100_000; i++) {
      OrSet<String> add = (i % 2 == 0 ? a : b).add(i % 2 == 0 ? A : B, "x");
      a = a.merge(add);
      b = b.merge(add);
      OrSet<String> rm = (i % 3 == 0 ? a : b).remove("x");
      a = a.merge(rm);
      b = b.merge(rm);
    }
    a = a.merge(a.add(A, "kept"));
    assertThat(a.elements()).containsExactly("kept");
    assertThat(a.context().cloud()).isEmpty();
    assertThat(a.context().vector().size()).isEqualTo(2);
    a.forEachEntry((e, dots) -> assertThat(dots).hasSize(1));
    assertThat(b.merge(a)).isEqualTo(a.merge(b));
    // FAULTS.md goal 14: after 100,000 add/remove cycles the whole state stays under 1 KiB.
    assertThat(BinaryCodec.encode(a).length).isLessThanOrEqualTo(1024);
    assertThat(BinaryCodec.encode(b).length).isLessThanOrEqualTo(1024);
  }

  /** One replica's OR-Set behaves like a plain set (riak_dt's update_expected model check). */
  @Test
  void sequentialOperationsMatchAPlainSet() {
    qt().withExamples(Examples.COUNT).forAll(lists().of(integers().between(-20, 20))
        .ofSizeBetween(0, 60)).checkAssert(ops -> {
          OrSet<Integer> s = OrSet.empty();
          Set<Integer> model = new HashSet<>();
          for (int op : ops) {
            if (op >= 0) {
              s = s.merge(s.add(A, op % 7));
              model.add(op % 7);
            } else {
              s = s.merge(s.remove(-op % 7));
              model.remove(-op % 7);
            }
            assertThat(s.elements()).isEqualTo(model);
            assertThat(s.size()).isEqualTo(model.size());
          }
        });
  }

  @Test
  void deltaMentionsOnlyWhatItTouches() {
    OrSet<String> s = OrSet.empty();
    for (int i = 0; i < 100; i++) {
      s = s.merge(s.add(A, "e" + i));
    }
    OrSet<String> d = s.remove("e7");
    assertThat(d.isDelta()).isTrue();
    assertThat(d.elements()).isEmpty();
    assertThat(d.context().dotCount()).isEqualTo(1);
    assertThat(s.merge(d).size()).isEqualTo(99);
  }

  @Test
  void addOfAPresentElementSupersedesItsOwnDots() {
    OrSet<String> s = OrSet.empty();
    s = s.merge(s.add(A, "x"));
    s = s.merge(s.add(A, "x"));
    s = s.merge(s.add(B, "x"));
    assertThat(s.dotsOf("x")).containsExactly(Dot.of(B, 1));
  }

  /** A state that has seen an add, and kept or removed it since, is its own join with it. */
  @Test
  void mergingAnAddTheStateHasSeenReturnsTheStateItself() {
    qt().withExamples(Examples.COUNT / 2).forAll(History.of(Mutations.orSet(), 3, 60))
        .checkAssert(h -> {
          for (History.Step<OrSet<Integer>> step : h.steps) {
            OrSet<Integer> d = step.delta();
            for (OrSet<Integer> x : h.replicas) {
              OrSet<Integer> state = x.merge(step.before());
              if (d.context().dotCount() == 1 && !d.elements().isEmpty()
                  && state.context().includes(d.context())) {
                assertThat(state.merge(d)).isSameAs(state);
              }
            }
          }
        });
  }
  /**
   * The delta of an add that supersedes nothing holds its element and dot, without a trie or a
   * context (the form nearly every add makes); it is the same value as the delta restored from
   * its parts, and merges, reads and encodes as that one does, on either side of a merge, with
   * states and deltas alike.
   */
  @Test
  void anAddsDeltaActsAsTheDeltaRestoredFromItsParts() {
    qt().withExamples(Examples.COUNT).forAll(Generated.orSets(), integers().between(-5, 5))
        .checkAssert((values, e) -> {
          OrSet<Integer> d = values.get(values.size() - 1).add(A, e);
          Map<Integer, List<Dot>> parts = new HashMap<>();
          d.forEachEntry(parts::put);
          OrSet<Integer> r = OrSet.restore(parts, d.context(), true);
          assertThat(d).isEqualTo(r).hasSameHashCodeAs(r);
          assertThat(r).isEqualTo(d);
          assertThat(d.isDelta()).isTrue();
          assertThat(d.context()).isEqualTo(r.context());
          assertThat(d.size()).isEqualTo(r.size());
          assertThat(d.elements()).isEqualTo(r.elements());
          assertThat(d.contains(e)).isTrue();
          assertThat(d.dotsOf(e)).isEqualTo(r.dotsOf(e));
          assertThat(d.toString()).isEqualTo(r.toString());
          assertThat(BinaryCodec.encode(d)).isEqualTo(BinaryCodec.encode(r));
          for (OrSet<Integer> v : values) {
            assertThat(v.merge(d)).isEqualTo(v.merge(r));
            assertThat(d.merge(v)).isEqualTo(r.merge(v));
            assertThat(v.merge(d).isDelta()).isEqualTo(v.merge(r).isDelta());
            assertThat(d.merge(v).isDelta()).isEqualTo(r.merge(v).isDelta());
          }
        });
  }
}
