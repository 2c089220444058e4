package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.Dot;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Records, for every replica, the order in which it applied deltas, and checks causal delivery
 * from what it observed, never from what the engine claims: a delta's dependencies are whatever
 * its author had applied when it wrote it (Jepsen's "causal" checker does the same).
 */
final class CausalityChecker {

  private final Map<Dot, VersionVector> depsOfWrite = new HashMap<>();
  private final Map<ReplicaId, VersionVector> applied = new HashMap<>();
  private final List<String> violations = new ArrayList<>();

  /** Listens to {@code replica}; call before it writes or receives anything. */
  void watch(Replica replica) {
    ReplicaId self = replica.id();
    // A replica reopened from its store starts from what it stored.
    synchronized (this) {
      applied.put(self, replica.vector());
    }
    replica.addListener(new ChangeListener() {
      @Override
      public void changed(Change change) {
        observe(self, change);
      }

      @Override
      public void snapshotInstalled(VersionVector before, VersionVector after,
          Set<String> objects) {
        installed(self, after);
      }
    });
  }

  /**
   * A snapshot gives a replica many writes at once: every one of them must come with its
   * dependencies, so the vector it reaches is causally closed.
   */
  private synchronized void installed(ReplicaId at, VersionVector after) {
    VersionVector seen = applied.getOrDefault(at, VersionVector.empty());
    VersionVector now = seen.merge(after);
    now.forEach((origin, upTo) -> {
      for (long seq = seen.get(origin) + 1; seq <= upTo; seq++) {
        Dot dot = new Dot(origin, seq);
        VersionVector deps = depsOfWrite.get(dot);
        if (deps == null) {
          violations.add(at + " installed " + dot + " that nobody wrote");
        } else if (!now.descends(deps)) {
          violations.add(at + " installed " + dot + " without its dependencies " + deps
              + "; reached " + now);
        }
      }
    });
    applied.put(at, now);
  }

  private synchronized void observe(ReplicaId at, Change c) {
    VersionVector seen = applied.getOrDefault(at, VersionVector.empty());
    Dot dot = new Dot(c.origin(), c.seq());
    if (c.local()) {
      // Everything applied here before this write is what the write depends on.
      depsOfWrite.put(dot, seen);
    } else {
      VersionVector deps = depsOfWrite.get(dot);
      if (deps == null) {
        violations.add(at + " applied " + dot + " that nobody wrote");
      } else if (!seen.descends(deps)) {
        violations.add(at + " applied " + dot + " before its dependencies " + deps
            + "; had " + seen);
      }
    }
    if (c.seq() != seen.get(c.origin()) + 1) {
      violations.add(at + " applied " + dot + " out of feed order; had " + seen);
    }
    applied.put(at, seen.with(c.origin(), c.seq()));
  }

  synchronized int writes() {
    return depsOfWrite.size();
  }

  synchronized void assertNoViolation() {
    assertThat(violations).as("causality violations").isEmpty();
  }
}
