package io.tandem.replication;

import io.tandem.crdt.Crdt;
import io.tandem.crdt.GCounter;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.MvRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.PnCounter;

/** The bottom of a CRDT's type, so a first delta can be merged into something. */
final class Crdts {

  private Crdts() {}

  /** The empty value of {@code value}'s type; null if it is no CRDT type replicas can hold. */
  static Crdt<?> emptyLike(Object value) {
    if (value instanceof OrMap) {
      return OrMap.empty();
    } else if (value instanceof OrSet) {
      return OrSet.empty();
    } else if (value instanceof LwwRegister) {
      return LwwRegister.empty();
    } else if (value instanceof MvRegister) {
      return MvRegister.empty();
    } else if (value instanceof GCounter) {
      return GCounter.empty();
    } else if (value instanceof PnCounter) {
      return PnCounter.empty();
    }
    return null;
  }

  /** The join of two values of one CRDT type. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static Crdt<?> merge(Crdt<?> a, Object b) {
    return (Crdt<?>) ((Crdt) a).merge((Crdt) b);
  }
}
