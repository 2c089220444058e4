package io.tandem.crdt;

import static io.tandem.crdt.Mutations.A;
import static io.tandem.crdt.Mutations.B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CausalContextTest {

  @Test
  void dotsThatBecomeContiguousMoveIntoTheVector() {
    CausalContext c = CausalContext.ofDots(Dot.of(A, 3), Dot.of(A, 2));
    assertThat(c.cloud()).containsExactly(Dot.of(A, 2), Dot.of(A, 3));
    c = c.add(Dot.of(A, 1));
    assertThat(c.cloud()).isEmpty();
    assertThat(c.vector()).isEqualTo(VersionVector.of(A, 3));
  }

  @Test
  void nextDotFollowsTheHighestSeen() {
    CausalContext c = CausalContext.ofDots(Dot.of(A, 1), Dot.of(A, 5), Dot.of(B, 2));
    assertThat(c.nextDot(A)).isEqualTo(Dot.of(A, 6));
    assertThat(c.nextDot(B)).isEqualTo(Dot.of(B, 3));
  }

  /** Contexts are sets of dots: merge is union, and equal sets have one compact form. */
  @Test
  void mergeIsUnionAndTheCompactFormIsUnique() {
    qt().withExamples(Examples.COUNT).forAll(
        lists().of(integers().between(0, 23)).ofSizeBetween(0, 20),
        lists().of(integers().between(0, 23)).ofSizeBetween(0, 20)).checkAssert((x, y) -> {
          Set<Dot> dx = dots(x);
          Set<Dot> dy = dots(y);
          CausalContext cx = CausalContext.ofDots(dx);
          CausalContext cy = CausalContext.empty();
          for (Dot d : dy) {
            cy = cy.add(d);
          }
          Set<Dot> union = new HashSet<>(dx);
          union.addAll(dy);
          CausalContext merged = cx.merge(cy);
          assertThat(merged).isEqualTo(CausalContext.ofDots(union)).isEqualTo(cy.merge(cx));
          assertThat(merged.dotCount()).isEqualTo(union.size());
          for (int i = 0; i < 24; i++) {
            Dot d = dot(i);
            assertThat(merged.contains(d)).isEqualTo(union.contains(d));
          }
          assertThat(merged.includes(cx)).isTrue();
          assertThat(merged.includes(cy)).isTrue();
        });
  }

  private static Set<Dot> dots(List<Integer> codes) {
    Set<Dot> s = new HashSet<>();
    codes.forEach(c -> s.add(dot(c)));
    return s;
  }

  private static Dot dot(int code) {
    return Dot.of(code % 2 == 0 ? A : B, code / 2 + 1);
  }
}
