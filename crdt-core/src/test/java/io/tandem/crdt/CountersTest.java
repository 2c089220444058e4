package io.tandem.crdt;

import static io.tandem.crdt.Mutations.A;
import static io.tandem.crdt.Mutations.B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import org.junit.jupiter.api.Test;

class CountersTest {

  @Test
  void incrementsFromAllReplicasAddUp() {
    qt().withExamples(Examples.COUNT).forAll(lists().of(integers().between(-50, 50))
        .ofSizeBetween(0, 40)).checkAssert(ops -> {
          PnCounter a = PnCounter.empty();
          PnCounter b = PnCounter.empty();
          GCounter g = GCounter.empty();
          long sum = 0;
          long positive = 0;
          for (int i = 0; i < ops.size(); i++) {
            int op = ops.get(i);
            if (i % 2 == 0) {
              a = a.merge(a.increment(A, op));
            } else {
              b = b.merge(b.increment(B, op));
            }
            g = g.merge(g.increment(i % 2 == 0 ? A : B, Math.abs(op)));
            sum += op;
            positive += Math.abs(op);
          }
          assertThat(a.merge(b).value()).isEqualTo(sum);
          assertThat(g.value()).isEqualTo(positive);
        });
  }

  @Test
  void aReplayedIncrementCountsOnce() {
    GCounter g = GCounter.empty();
    GCounter d = g.increment(A, 3);
    assertThat(g.merge(d).merge(d).merge(d).value()).isEqualTo(3);
  }

  @Test
  void aGrowOnlyCounterRefusesToShrink() {
    assertThatThrownBy(() -> GCounter.empty().increment(A, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
