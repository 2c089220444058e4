package io.tandem.crdt;

import static io.tandem.crdt.Mutations.A;
import static io.tandem.crdt.Mutations.B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.List;
import org.junit.jupiter.api.Test;

class LwwRegisterTest {

  @Test
  void theHigherTimestampWinsOnEveryReplica() {
    qt().withExamples(Examples.COUNT).forAll(longs().between(0, 5), integers().between(0, 3),
        longs().between(0, 5), integers().between(0, 3)).checkAssert((w1, l1, w2, l2) -> {
          Hlc h1 = new Hlc(w1, l1, A);
          Hlc h2 = new Hlc(w2, l2, B);
          LwwRegister<String> r1 = LwwRegister.of(h1, "from A");
          LwwRegister<String> r2 = LwwRegister.of(h2, "from B");
          String expected = h1.compareTo(h2) > 0 ? "from A" : "from B";
          assertThat(r1.merge(r2).value()).isEqualTo(expected);
          assertThat(r2.merge(r1).value()).isEqualTo(expected);
        });
  }

  /** Same wall time and counter on two replicas: the replica id decides, alike everywhere. */
  @Test
  void equalClocksOnTwoReplicasResolveTheSameWayEverywhere() {
    LwwRegister<String> fromA = LwwRegister.of(new Hlc(7, 3, A), "a");
    LwwRegister<String> fromB = LwwRegister.of(new Hlc(7, 3, B), "b");
    String winner = A.compareTo(B) > 0 ? "a" : "b";
    for (List<LwwRegister<String>> order : List.of(List.of(fromA, fromB), List.of(fromB, fromA))) {
      LwwRegister<String> r = LwwRegister.<String>empty().merge(order.get(0)).merge(order.get(1));
      assertThat(r.value()).isEqualTo(winner);
    }
  }

  /** A reused timestamp with two values (a forgery) still resolves by value, not arrival. */
  @Test
  void identicalTimestampsWithDifferentValuesResolveDeterministically() {
    Hlc t = new Hlc(7, 3, A);
    LwwRegister<String> x = LwwRegister.of(t, "x");
    LwwRegister<String> y = LwwRegister.of(t, "y");
    assertThat(x.merge(y)).isEqualTo(y.merge(x));
  }

  /** A write that overrides what it saw wins even when its writer's clock is far behind. */
  @Test
  void aCausallyLaterWriteWinsDespiteALaggingClock() {
    LwwRegister<String> seen = LwwRegister.of(new Hlc(1_000_000, 5, B), "future");
    Hlc lagging = Hlc.zero(A).tick(10);
    LwwRegister<String> overwrite = seen.assign(lagging, "mine");
    assertThat(seen.merge(overwrite).value()).isEqualTo("mine");
    assertThat(overwrite.timestamp()).isGreaterThan(seen.timestamp());
  }

  @Test
  void emptyIsTheBottom() {
    LwwRegister<String> r = LwwRegister.of(new Hlc(1, 0, A), "x");
    assertThat(LwwRegister.<String>empty().merge(r)).isEqualTo(r);
    assertThat(r.merge(LwwRegister.empty())).isEqualTo(r);
    assertThat(LwwRegister.empty().value()).isNull();
  }
}
