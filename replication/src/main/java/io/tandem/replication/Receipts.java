package io.tandem.replication;

import io.tandem.crdt.Dot;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What this replica knows its peers hold, and the delivery receipts waiting on it. A peer holds
 * a write once it said so, in a summary, an ack, or by sending records it stored. Not thread
 * safe: the replica calls it under its lock.
 */
final class Receipts {

  /** A receipt waiting for devices to hold a write. */
  private record Pending(Dot dot, List<ReplicaId> devices, int n,
      CompletableFuture<Set<ReplicaId>> future) {}

  private final Map<ReplicaId, VersionVector> known = new HashMap<>();
  private final List<Pending> pending = new ArrayList<>();

  Map<ReplicaId, VersionVector> known() {
    return known;
  }

  /**
   * Records that {@code peer} holds {@code vector}.
   *
   * @return whether that is news
   */
  boolean learn(ReplicaId peer, VersionVector vector) {
    VersionVector before = known.get(peer);
    VersionVector now = before == null ? vector : before.merge(vector);
    if (now.equals(before)) {
      return false;
    }
    known.put(peer, now);
    check();
    return true;
  }

  /** Completes once {@code devices} all hold {@code dot}, or any {@code n} when devices is null. */
  CompletableFuture<Set<ReplicaId>> await(Dot dot, List<ReplicaId> devices, int n) {
    CompletableFuture<Set<ReplicaId>> f = new CompletableFuture<>();
    pending.add(new Pending(dot, devices, n, f));
    check();
    return f;
  }

  Set<ReplicaId> holders(Dot dot) {
    Set<ReplicaId> out = new LinkedHashSet<>();
    known.forEach((peer, v) -> {
      if (v.contains(dot)) {
        out.add(peer);
      }
    });
    return out;
  }

  void check() {
    if (pending.isEmpty()) {
      return;
    }
    pending.removeIf(p -> {
      Set<ReplicaId> holders = holders(p.dot());
      boolean done = p.devices() != null ? holders.containsAll(p.devices())
          : holders.size() >= p.n();
      if (done) {
        p.future().complete(Collections.unmodifiableSet(holders));
      }
      return done;
    });
  }

  /** Fails every waiting receipt: the replica closed. */
  void fail(String why) {
    for (Pending p : pending) {
      p.future().completeExceptionally(new IllegalStateException(why));
    }
    pending.clear();
  }
}
