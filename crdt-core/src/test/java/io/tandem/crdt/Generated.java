package io.tandem.crdt;

import java.util.List;
import org.quicktheories.core.Gen;

/**
 * Public doors to this package's generators, for tests in other packages (the codecs): each
 * yields every state and delta of one generated run of three replicas, so all are reachable.
 */
public final class Generated {

  /** The replicas the runs use, in ascending order. */
  public static final List<ReplicaId> REPLICAS = Mutations.REPLICAS;

  private Generated() {}

  public static Gen<List<OrSet<Integer>>> orSets() {
    return History.of(Mutations.orSet(), 3, 40).map(History::values);
  }

  public static Gen<List<MvRegister<String>>> mvRegisters() {
    return History.of(Mutations.mvRegister(), 3, 40).map(History::values);
  }

  public static Gen<List<LwwRegister<String>>> lwwRegisters() {
    return History.of(Mutations.lwwRegister(), 3, 40).map(History::values);
  }

  public static Gen<List<GCounter>> gCounters() {
    return History.of(Mutations.gCounter(), 3, 40).map(History::values);
  }

  public static Gen<List<PnCounter>> pnCounters() {
    return History.of(Mutations.pnCounter(), 3, 40).map(History::values);
  }

  /** As {@link #orSets()}, over runs long enough that states grow to hundreds of bytes. */
  public static Gen<List<OrSet<Integer>>> longOrSets() {
    return History.of(Mutations.orSet(), 3, 400).map(History::values);
  }

  /** As {@link #orMaps()}, over runs long enough that states grow to hundreds of bytes. */
  public static Gen<List<OrMap<String, Crdt<?>>>> longOrMaps() {
    return History.of(Mutations.orMap(), 3, 400).map(History::values);
  }

  /** Note-like maps: nested maps, sets, registers, counters, removals and kind clashes. */
  public static Gen<List<OrMap<String, Crdt<?>>>> orMaps() {
    return History.of(Mutations.orMap(), 3, 40).map(History::values);
  }
}
