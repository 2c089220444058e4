package io.tandem.crdt;

import static io.tandem.crdt.Mutations.A;
import static io.tandem.crdt.Mutations.B;
import static io.tandem.crdt.Mutations.C;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OrMapTest {

  private static final Hlc T1 = new Hlc(1_000, 0, A);

  /** The typical document needs no custom code: LWW fields and an OR-Set of tags in one map. */
  @Test
  void aNoteIsAMapOfLwwFieldsAndATagSet() {
    OrMap<String, Crdt<?>> note = OrMap.empty();
    note = note.merge(note.update(A, "title", LwwRegister.<String>empty(),
        t -> t.assign(T1, "Groceries")));
    note = note.merge(note.update(A, "pinned", LwwRegister.<Boolean>empty(),
        t -> t.assign(T1.tick(1_001), true)));
    note = note.merge(note.update(A, "tags", OrSet.<String>empty(), t -> t.add(A, "home")));
    note = note.merge(note.update(A, "tags", OrSet.<String>empty(), t -> t.add(A, "food")));

    assertThat(note.get("title", LwwRegister.<String>empty()).value()).isEqualTo("Groceries");
    assertThat(note.get("pinned", LwwRegister.<Boolean>empty()).value()).isTrue();
    assertThat(note.get("tags", OrSet.<String>empty()).elements())
        .containsExactlyInAnyOrder("home", "food");
    assertThat(note.keySet()).containsExactlyInAnyOrder("title", "pinned", "tags");
  }

  @Test
  void concurrentUpdateOfAValueAndRemovalOfItsKeyKeepTheUpdate() {
    OrMap<String, LwwRegister<String>> base = OrMap.empty();
    base = base.merge(base.update(A, "title", LwwRegister.empty(), r -> r.assign(T1, "old")));
    OrMap<String, LwwRegister<String>> removal = base.remove("title");
    OrMap<String, LwwRegister<String>> edit = base.update(B, "title", LwwRegister.empty(),
        r -> r.assign(new Hlc(2_000, 0, B), "new"));
    OrMap<String, LwwRegister<String>> one = base.merge(removal).merge(edit);
    OrMap<String, LwwRegister<String>> two = base.merge(edit).merge(removal);
    assertThat(one).isEqualTo(two);
    assertThat(one.get("title").value()).isEqualTo("new");
  }

  @Test
  void concurrentNestedSetAddAndKeyRemovalKeepTheAddOnly() {
    OrMap<String, OrSet<String>> base = OrMap.empty();
    base = base.merge(base.update(A, "tags", OrSet.empty(), t -> t.add(A, "old")));
    OrMap<String, OrSet<String>> removal = base.remove("tags");
    OrMap<String, OrSet<String>> add = base.update(B, "tags", OrSet.empty(), t -> t.add(B, "new"));
    OrMap<String, OrSet<String>> merged = base.merge(add).merge(removal);
    assertThat(merged.get("tags").elements()).containsExactly("new");
    assertThat(base.merge(removal).merge(add)).isEqualTo(merged);
  }

  @Test
  void concurrentCounterIncrementAndRemovalKeepTheIncrementingReplicasCount() {
    OrMap<String, GCounter> base = OrMap.empty();
    base = base.merge(base.update(A, "likes", GCounter.empty(), c -> c.increment(A, 5)));
    OrMap<String, GCounter> removal = base.remove("likes");
    OrMap<String, GCounter> inc = base.update(B, "likes", GCounter.empty(),
        c -> c.increment(B, 1));
    OrMap<String, GCounter> merged = base.merge(removal).merge(inc);
    // B's update carries the counter as B saw it: the update survives, as riak_dt's maps do.
    assertThat(merged.get("likes").value()).isEqualTo(6);
    assertThat(base.merge(inc).merge(removal)).isEqualTo(merged);
  }

  @Test
  void removeOfAnObservedKeyRemovesItEverywhere() {
    OrMap<String, MvRegister<String>> a = OrMap.empty();
    a = a.merge(a.update(A, "k", MvRegister.empty(), r -> r.assign(A, "v")));
    OrMap<String, MvRegister<String>> b = OrMap.<String, MvRegister<String>>empty().merge(a);
    b = b.merge(b.remove("k"));
    assertThat(a.merge(b).containsKey("k")).isFalse();
    assertThat(b.merge(a).containsKey("k")).isFalse();
  }

  @Test
  void nestedMapsShareTheOuterContext() {
    OrMap<String, OrMap<String, LwwRegister<String>>> contacts = OrMap.empty();
    contacts = contacts.merge(contacts.update(A, "ann", OrMap.empty(),
        c -> c.update(A, "email", LwwRegister.empty(), r -> r.assign(T1, "ann@example.org"))));
    OrMap<String, LwwRegister<String>> ann = contacts.get("ann");
    assertThat(ann.context()).isEqualTo(contacts.context());
    assertThat(ann.get("email").value()).isEqualTo("ann@example.org");
  }

  /** Two kinds under one key is an app bug, but replicas must still agree on what they show. */
  @Test
  void clashingKindsConvergeAndShowTheSameValueEverywhere() {
    OrMap<String, Crdt<?>> base = OrMap.empty();
    OrMap<String, Crdt<?>> lww = base.update(A, "x", LwwRegister.<String>empty(),
        r -> r.assign(T1, "text"));
    OrMap<String, Crdt<?>> set = base.update(B, "x", OrSet.<String>empty(), s -> s.add(B, "e"));
    OrMap<String, Crdt<?>> ab = base.merge(lww).merge(set);
    OrMap<String, Crdt<?>> ba = base.merge(set).merge(lww);
    assertThat(ab).isEqualTo(ba);
    assertThat(ab.get("x")).isEqualTo(ba.get("x"));
    assertThat(ab.get("x", OrSet.<String>empty()).elements()).containsExactly("e");
    assertThat(ab.get("x", LwwRegister.<String>empty()).value()).isEqualTo("text");
  }

  @Test
  void aMutatorReturningTheWholeValueClaimsNothingElsewhere() {
    OrMap<String, OrSet<String>> m = OrMap.empty();
    m = m.merge(m.update(A, "a", OrSet.empty(), s -> s.add(A, "1")));
    m = m.merge(m.update(A, "b", OrSet.empty(), s -> s.add(A, "2")));
    OrMap<String, OrSet<String>> fromFullValue = m.update(A, "a", OrSet.empty(),
        s -> s.merge(s.add(A, "3")));
    OrMap<String, OrSet<String>> after = m.merge(fromFullValue);
    assertThat(after.get("b").elements()).containsExactly("2");
    assertThat(after.get("a").elements()).containsExactlyInAnyOrder("1", "3");
  }

  @Test
  void updateRefusesAValueThatIsNotEmptyOrNotEmbeddable() {
    OrMap<String, OrSet<String>> m = OrMap.empty();
    OrSet<String> notEmpty = OrSet.<String>empty().merge(OrSet.<String>empty().add(C, "x"));
    assertThatThrownBy(() -> m.update(A, "k", notEmpty, s -> s.add(A, "y")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** One replica's LWW map behaves like a plain map. */
  @Test
  void sequentialOperationsMatchAPlainMap() {
    qt().withExamples(Examples.COUNT).forAll(lists().of(integers().between(-20, 40))
        .ofSizeBetween(0, 60)).checkAssert(ops -> {
          OrMap<Integer, LwwRegister<Integer>> m = OrMap.empty();
          Map<Integer, Integer> model = new HashMap<>();
          Hlc clock = Hlc.zero(A);
          for (int op : ops) {
            clock = clock.tick(1);
            Hlc now = clock;
            if (op >= 0) {
              m = m.merge(m.update(A, op % 5, LwwRegister.empty(), r -> r.assign(now, op)));
              model.put(op % 5, op);
            } else {
              m = m.merge(m.remove(-op % 5));
              model.remove(-op % 5);
            }
            Map<Integer, Integer> seen = new HashMap<>();
            m.forEach((k, v) -> seen.put(k, v.value()));
            assertThat(seen).isEqualTo(model);
          }
        });
  }
}
