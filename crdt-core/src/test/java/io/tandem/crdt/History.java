package io.tandem.crdt;

import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.ArrayList;
import java.util.List;
import org.quicktheories.core.Gen;

/**
 * A generated run of several replicas of one CRDT: each mutates, sends its deltas and states
 * around, and merges what it gets, so every state and delta in it is reachable and every dot is
 * issued once. Generated from a list of op codes, so QuickTheories shrinks it to a short script.
 */
final class History<T extends Crdt<T>> {

  /** One mutation: the state it ran on, the delta it returned, and the replica. */
  record Step<T>(int replica, T before, T delta, int order) {}

  final List<Integer> script;
  final List<T> replicas = new ArrayList<>();
  final List<Step<T>> steps = new ArrayList<>();
  /** For each replica, the deltas it has applied, in order: a causal order per replica. */
  final List<List<T>> applied = new ArrayList<>();

  private History(List<Integer> script) {
    this.script = script;
  }

  static <T extends Crdt<T>> Gen<History<T>> of(Mutations<T> type, int replicas, int maxOps) {
    return lists().of(integers().between(0, Integer.MAX_VALUE)).ofSizeBetween(1, maxOps)
        .map(script -> run(type, replicas, script));
  }

  static <T extends Crdt<T>> History<T> run(Mutations<T> type, int n, List<Integer> script) {
    History<T> h = new History<>(script);
    List<Hlc> clocks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      h.replicas.add(type.bottom());
      h.applied.add(new ArrayList<>());
      clocks.add(Hlc.zero(Mutations.REPLICAS.get(i)));
    }
    long now = 1_000;
    for (int code : script) {
      int i = code % n;
      int op = (code / n) % 10;
      int rest = code / (n * 10);
      now += rest % 3;
      if (op < 6 || h.steps.isEmpty()) {
        ReplicaId self = Mutations.REPLICAS.get(i);
        Hlc clock = clocks.get(i).tick(now);
        clocks.set(i, clock);
        T before = h.replicas.get(i);
        T delta = type.mutate(before, self, clock, rest);
        h.steps.add(new Step<>(i, before, delta, h.steps.size()));
        h.replicas.set(i, before.merge(delta));
        h.applied.get(i).add(delta);
      } else if (op < 8) {
        // Deliver every delta of another replica this one has not applied yet, in its order.
        int j = rest % n;
        if (j != i) {
          for (T d : h.applied.get(j)) {
            if (!h.applied.get(i).contains(d)) {
              h.applied.get(i).add(d);
              h.replicas.set(i, h.replicas.get(i).merge(d));
            }
          }
        }
      } else {
        // Full-state merge, as a snapshot transfer would do.
        int j = rest % n;
        h.replicas.set(i, h.replicas.get(i).merge(h.replicas.get(j)));
        for (T d : h.applied.get(j)) {
          if (!h.applied.get(i).contains(d)) {
            h.applied.get(i).add(d);
          }
        }
      }
    }
    return h;
  }

  /** Every state and delta this history produced: the values laws quantify over. */
  List<T> values() {
    List<T> all = new ArrayList<>(replicas);
    for (Step<T> s : steps) {
      all.add(s.before());
      all.add(s.delta());
    }
    return all;
  }

  /** The join of every replica's state. */
  T joined() {
    T acc = replicas.get(0);
    for (T r : replicas) {
      acc = acc.merge(r);
    }
    return acc;
  }

  @Override
  public String toString() {
    return "History" + script + " -> " + replicas;
  }
}
