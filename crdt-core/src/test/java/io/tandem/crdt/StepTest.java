package io.tandem.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * A mutator's step (its delta and the state merged with it, made in one walk) agrees with the
 * mutator and the merge done apart, on every state and delta of generated histories.
 */
class StepTest {

  @Test
  void anAddStepIsTheAddAndTheMergeOfItsDelta() {
    qt().withExamples(Examples.COUNT / 2).forAll(History.of(Mutations.orSet(), 3, 40))
        .checkAssert(h -> {
          for (OrSet<Integer> v : h.values()) {
            for (ReplicaId self : Mutations.REPLICAS) {
              for (int e = 0; e < 6; e++) {
                agree(v, self, e);
              }
            }
          }
        });
  }

  @Test
  void anAddStepOnAWideSetIsTheAddAndTheMergeOfItsDelta() {
    qt().withExamples(Examples.COUNT / 4).forAll(History.of(Mutations.wideOrSet(), 3, 200))
        .checkAssert(h -> {
          for (OrSet<Integer> v : h.replicas) {
            for (int e = 0; e < 300; e += 7) {
              agree(v, Mutations.REPLICAS.get(e % 4), e);
            }
          }
        });
  }

  @Test
  void anUpdateStepIsTheUpdateAndTheMergeOfItsDelta() {
    qt().withExamples(Examples.COUNT / 2).forAll(History.of(Mutations.orMap(), 3, 40))
        .checkAssert(h -> {
          for (OrMap<String, Crdt<?>> v : h.values()) {
            for (ReplicaId self : Mutations.REPLICAS) {
              for (int code = 0; code < 12; code++) {
                updateNote(v, self, code);
              }
            }
          }
        });
  }

  @Test
  void anUpdateStepOnAWideMapIsTheUpdateAndTheMergeOfItsDelta() {
    qt().withExamples(Examples.COUNT / 4).forAll(History.of(Mutations.wideOrMap(), 3, 200))
        .checkAssert(h -> {
          for (OrMap<Integer, LwwRegister<String>> v : h.replicas) {
            for (int k = 0; k < 200; k += 7) {
              ReplicaId self = Mutations.REPLICAS.get(k % 4);
              Hlc late = Hlc.zero(self).tick(1_000_000);
              agree(v, self, k, LwwRegister.<String>empty(), r -> r.assign(late, "x"));
              // An older stamp loses to the value there: the mutator writes nothing.
              Hlc early = Hlc.zero(self).tick(1);
              agree(v, self, k, LwwRegister.<String>empty(), r -> r.assign(early, "y"));
            }
          }
        });
  }

  @Test
  void aStepLeavesTheReceiverUnchanged() {
    OrSet<String> s = OrSet.<String>empty();
    s = s.merge(s.add(Mutations.A, "x"));
    OrSet<String> before = s;
    Step<OrSet<String>> step = s.addStep(Mutations.B, "x");
    assertThat(s).isEqualTo(before);
    assertThat(s.dotsOf("x")).containsExactly(Dot.of(Mutations.A, 1));
    assertThat(step.state().dotsOf("x")).containsExactly(Dot.of(Mutations.B, 1));
    assertThat(step.delta().isDelta()).isTrue();
    assertThat(step.state().isDelta()).isFalse();
  }

  private static void updateNote(OrMap<String, Crdt<?>> m, ReplicaId self, int code) {
    Hlc now = Hlc.zero(self).tick(1_000_000 + code);
    String arg = Integer.toString(code % 3);
    switch (code) {
      case 0 -> agree(m, self, "title", LwwRegister.<String>empty(), r -> r.assign(now, arg));
      case 1 -> agree(m, self, "tags", OrSet.<String>empty(), t -> t.add(self, "g" + arg));
      case 2 -> agree(m, self, "tags", OrSet.<String>empty(), t -> t.remove("g" + arg));
      case 3 -> agree(m, self, "body", MvRegister.<String>empty(), r -> r.assign(self, arg));
      case 4 -> agree(m, self, "likes", GCounter.empty(), c -> c.increment(self, 1));
      case 5 -> agree(m, self, "contacts", OrMap.<String, Crdt<?>>empty(),
          c -> c.update(self, "c" + arg, LwwRegister.<String>empty(), r -> r.assign(now, arg)));
      case 6 -> agree(m, self, "contacts", OrMap.<String, Crdt<?>>empty(),
          c -> c.remove("c" + arg));
      case 7 -> agree(m, self, "k" + arg, PnCounter.empty(), c -> c.increment(self, 2));
      // Another kind under a key that may hold a register: a clash the step must join too.
      case 8 -> agree(m, self, "k" + arg, OrSet.<String>empty(), t -> t.add(self, "x"));
      case 9 -> agree(m, self, "k" + arg, LwwRegister.<String>empty(), r -> r.assign(now, arg));
      // Mutators that write nothing: no dot, an empty delta, the state itself.
      case 10 -> agree(m, self, "title", LwwRegister.<String>empty(), r -> LwwRegister.empty());
      default -> agree(m, self, "tags", OrSet.<String>empty(), t -> t.remove("absent"));
    }
  }

  private static void agree(OrSet<Integer> v, ReplicaId self, int e) {
    Step<OrSet<Integer>> step = v.addStep(self, e);
    OrSet<Integer> d = v.add(self, e);
    assertThat(step.delta()).as("delta of add %s on %s", e, v).isEqualTo(d);
    assertThat(step.delta().isDelta()).isTrue();
    assertThat(step.state()).as("state of add %s on %s", e, v).isEqualTo(v.merge(d));
    assertThat(step.state().isDelta()).isEqualTo(v.merge(d).isDelta());
  }

  private static <K, V extends Crdt<?>, W extends V> void agree(OrMap<K, V> v, ReplicaId self,
      K key, W empty, UnaryOperator<W> mutator) {
    Step<OrMap<K, V>> step = v.updateStep(self, key, empty, mutator);
    OrMap<K, V> d = v.update(self, key, empty, mutator);
    assertThat(step.delta()).as("delta of update %s on %s", key, v).isEqualTo(d);
    assertThat(step.state()).as("state of update %s on %s", key, v).isEqualTo(v.merge(d));
    assertThat(step.state().isDelta()).isEqualTo(v.merge(d).isDelta());
  }
}
