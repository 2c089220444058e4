package io.tandem.crdt;

import static io.tandem.crdt.Mutations.A;
import static io.tandem.crdt.Mutations.B;
import static io.tandem.crdt.Mutations.C;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MvRegisterTest {

  @Test
  void concurrentWritesAreBothKept() {
    MvRegister<String> base = MvRegister.empty();
    MvRegister<String> a = base.merge(base.assign(A, "Groceries"));
    MvRegister<String> b = base.merge(base.assign(B, "Shopping"));
    MvRegister<String> merged = a.merge(b);
    assertThat(merged.values()).containsExactlyInAnyOrder("Groceries", "Shopping");
    assertThat(merged.isConflicted()).isTrue();
    assertThat(merged.value()).isEqualTo(b.merge(a).value());
  }

  @Test
  void aWriteReplacesTheValuesItSaw() {
    MvRegister<String> base = MvRegister.empty();
    MvRegister<String> merged = base.merge(base.assign(A, "x")).merge(base.assign(B, "y"));
    // Picking one of the concurrent values resolves the conflict everywhere.
    MvRegister<String> resolved = merged.merge(merged.assign(C, "y"));
    assertThat(resolved.values()).containsExactly("y");
    assertThat(resolved.isConflicted()).isFalse();
  }

  @Test
  void clearKeepsOnlyWritesItDidNotSee() {
    MvRegister<String> base = MvRegister.empty();
    MvRegister<String> seen = base.merge(base.assign(A, "x"));
    MvRegister<String> unseen = base.assign(B, "y");
    assertThat(seen.merge(seen.clear()).merge(unseen).values()).containsExactly("y");
  }
}
