package io.tandem.crdt;

import static io.tandem.crdt.Mutations.A;
import static io.tandem.crdt.Mutations.B;
import static io.tandem.crdt.Mutations.C;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.List;
import org.junit.jupiter.api.Test;

class VersionVectorTest {

  @Test
  void compareTellsTheFourRelations() {
    VersionVector a = VersionVector.of(A, 2);
    VersionVector ab = a.with(B, 1);
    VersionVector b = VersionVector.of(B, 1);
    assertThat(a.compare(ab)).isEqualTo(Causality.BEFORE);
    assertThat(ab.compare(a)).isEqualTo(Causality.AFTER);
    assertThat(a.compare(VersionVector.of(A, 2))).isEqualTo(Causality.EQUAL);
    assertThat(a.compare(b)).isEqualTo(Causality.CONCURRENT);
    assertThat(ab.descends(a)).isTrue();
    assertThat(a.descends(ab)).isFalse();
  }

  @Test
  void mergeIsThePointwiseMaximumAndALattice() {
    qt().withExamples(Examples.COUNT).forAll(vectors(), vectors(), vectors())
        .checkAssert((x, y, z) -> {
          VersionVector m = x.merge(y);
          for (ReplicaId r : List.of(A, B, C)) {
            assertThat(m.get(r)).isEqualTo(Math.max(x.get(r), y.get(r)));
          }
          assertThat(m).isEqualTo(y.merge(x));
          assertThat(m.merge(z)).isEqualTo(x.merge(y.merge(z)));
          assertThat(x.merge(x)).isEqualTo(x);
          assertThat(m.descends(x)).isTrue();
          assertThat(m.descends(y)).isTrue();
        });
  }

  @Test
  void aZeroCounterIsAnAbsentEntry() {
    assertThat(VersionVector.of(A, 3).with(A, 0)).isEqualTo(VersionVector.empty());
    assertThatThrownBy(() -> VersionVector.empty().with(A, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static org.quicktheories.core.Gen<VersionVector> vectors() {
    return lists().of(integers().between(0, 4)).ofSize(3).map(cs -> VersionVector.empty()
        .with(A, cs.get(0)).with(B, cs.get(1)).with(C, cs.get(2)));
  }
}
