package io.tandem.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The lattice laws every CRDT type obeys, written once and run per type (as JCTools'
 * QueueSanityTest and riak_dt's crdt_statem_eqc do). Values come from generated histories of
 * several replicas, so states, deltas and merges of both are all covered.
 */
abstract class CrdtLaws<T extends Crdt<T>> {

  abstract Mutations<T> type();

  Gen<History<T>> histories() {
    return History.of(type(), 3, 40);
  }

  /** A bounded sample of a history's values: every final state and the latest deltas. */
  private List<T> sample(History<T> h, int max) {
    List<T> all = h.values();
    List<T> out = new ArrayList<>(h.replicas);
    for (int i = all.size() - 1; i >= 0 && out.size() < max; i--) {
      out.add(all.get(i));
    }
    return out;
  }

  @Test
  void mergeIsCommutative() {
    qt().withExamples(Examples.COUNT).forAll(histories()).checkAssert(h -> {
      List<T> vs = sample(h, 8);
      for (T a : vs) {
        for (T b : vs) {
          assertThat(a.merge(b)).as("%s ⊔ %s", a, b).isEqualTo(b.merge(a));
        }
      }
    });
  }

  @Test
  void mergeIsAssociative() {
    qt().withExamples(Examples.COUNT).forAll(histories()).checkAssert(h -> {
      List<T> vs = sample(h, 6);
      for (T a : vs) {
        for (T b : vs) {
          for (T c : vs) {
            assertThat(a.merge(b).merge(c)).as("(%s ⊔ %s) ⊔ %s", a, b, c)
                .isEqualTo(a.merge(b.merge(c)));
          }
        }
      }
    });
  }

  @Test
  void mergeIsIdempotent() {
    qt().withExamples(Examples.COUNT).forAll(histories()).checkAssert(h -> {
      for (T a : sample(h, 10)) {
        assertThat(a.merge(a)).isEqualTo(a);
        for (T b : h.replicas) {
          T ab = a.merge(b);
          assertThat(ab.merge(b)).isEqualTo(ab);
          assertThat(ab.merge(a)).isEqualTo(ab);
        }
      }
    });
  }

  /**
   * A replica that holds at least the state a delta was made from ends up the same whether it
   * merges the delta or the full state after the mutation: deltas are enough.
   */
  @Test
  void deltaMergedEqualsMergeWithTheStateItCameFrom() {
    qt().withExamples(Examples.COUNT).forAll(histories()).checkAssert(h -> {
      for (History.Step<T> s : h.steps) {
        T after = s.before().merge(s.delta());
        for (T x : h.replicas) {
          T y = x.merge(s.before());
          assertThat(y.merge(s.delta())).as("%s ⊔ %s", y, s.delta())
              .isEqualTo(y.merge(after));
        }
      }
    });
  }

  /**
   * A state merging a delta (where OrSet and OrMap take short paths for one-dot deltas) gives
   * what the delta merging the state gives (the general causal join), for deltas the state has
   * seen, has not seen, or has seen and overwritten or removed since.
   */
  @Test
  void aStateAbsorbsADeltaAsTheDeltaAbsorbsTheState() {
    qt().withExamples(Examples.COUNT / 2).forAll(histories()).checkAssert(h -> {
      for (History.Step<T> s : h.steps) {
        for (T x : h.replicas) {
          T state = x.merge(s.before());
          assertThat(state.merge(s.delta())).as("%s ⊔ %s", state, s.delta())
              .isEqualTo(s.delta().merge(state));
        }
      }
    });
  }

  /** Every replica's state is the fold of the deltas it applied, in the order it applied them. */
  @Test
  void stateIsTheFoldOfItsDeltas() {
    qt().withExamples(Examples.COUNT).forAll(histories()).checkAssert(h -> {
      for (int i = 0; i < h.replicas.size(); i++) {
        T acc = type().bottom();
        for (T d : h.applied.get(i)) {
          acc = acc.merge(d);
        }
        assertThat(acc).isEqualTo(h.replicas.get(i));
      }
    });
  }

  /**
   * The same deltas applied in any causal order, singly or grouped, give equal states. Causal
   * order here: a delta comes after every delta its replica had applied when it was made.
   */
  @Test
  void deltasApplyInAnyCausalOrder() {
    qt().withExamples(Examples.COUNT).forAll(histories()).checkAssert(h -> {
      List<History.Step<T>> steps = h.steps;
      Random random = new Random(h.script.hashCode());
      List<History.Step<T>> order = causalShuffle(h, random);
      T one = type().bottom();
      T grouped = type().bottom();
      T group = type().bottom();
      for (History.Step<T> s : order) {
        one = one.merge(s.delta());
        group = group.merge(s.delta());
        if (random.nextInt(3) == 0) {
          grouped = grouped.merge(group);
          group = type().bottom();
        }
      }
      grouped = grouped.merge(group);
      T all = type().bottom();
      for (History.Step<T> s : steps) {
        all = all.merge(s.delta());
      }
      assertThat(one).isEqualTo(all);
      assertThat(grouped).isEqualTo(all);
      assertThat(all).isEqualTo(h.joined());
    });
  }

  /** Even without causal order the deltas converge; causal delivery is for apps, not merges. */
  @Test
  void deltasConvergeInAnyOrder() {
    qt().withExamples(Examples.COUNT).forAll(histories()).checkAssert(h -> {
      List<History.Step<T>> shuffled = new ArrayList<>(h.steps);
      Collections.shuffle(shuffled, new Random(h.script.hashCode()));
      T acc = type().bottom();
      for (History.Step<T> s : shuffled) {
        acc = acc.merge(s.delta());
      }
      assertThat(acc).isEqualTo(h.joined());
    });
  }

  /** A dropped return value is the bug immutability invites: mutators never change the receiver. */
  @Test
  void mutatorsLeaveTheReceiverUnchanged() {
    qt().withExamples(Examples.COUNT / 4).forAll(histories()).checkAssert(h -> {
      for (History.Step<T> s : h.steps) {
        String before = s.before().toString();
        T again = type().mutate(s.before(), Mutations.A, Hlc.zero(Mutations.A).tick(5_000),
            h.script.get(s.order() % h.script.size()));
        assertThat(s.before().toString()).isEqualTo(before);
        assertThat(again).isNotNull();
      }
    });
  }

  private static <T extends Crdt<T>> List<History.Step<T>> causalShuffle(History<T> h,
      Random random) {
    // A delta's dependencies: the deltas its replica had applied before making it.
    List<List<T>> deps = new ArrayList<>();
    List<List<T>> seen = new ArrayList<>();
    for (int i = 0; i < h.replicas.size(); i++) {
      seen.add(new ArrayList<>());
    }
    // Replay to find, for each step, the prefix of its replica's applied list before it.
    for (History.Step<T> s : h.steps) {
      List<T> applied = h.applied.get(s.replica());
      int at = applied.indexOf(s.delta());
      deps.add(new ArrayList<>(applied.subList(0, Math.max(at, 0))));
    }
    List<History.Step<T>> out = new ArrayList<>();
    List<History.Step<T>> pending = new ArrayList<>(h.steps);
    List<T> placed = new ArrayList<>();
    while (!pending.isEmpty()) {
      List<History.Step<T>> ready = new ArrayList<>();
      for (History.Step<T> s : pending) {
        if (placed.containsAll(deps.get(s.order()))) {
          ready.add(s);
        }
      }
      History.Step<T> pick = ready.isEmpty()
          ? pending.get(0) : ready.get(random.nextInt(ready.size()));
      pending.remove(pick);
      placed.add(pick.delta());
      out.add(pick);
    }
    return out;
  }
}
