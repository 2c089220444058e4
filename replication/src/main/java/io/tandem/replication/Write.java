package io.tandem.replication;

import io.tandem.crdt.Dot;
import io.tandem.crdt.ReplicaId;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A write that returned: it is stored on this replica. Its receipts tell when other devices hold
 * it too ("my note is safe on the PC"): a device counts once it has stored the write, whether it
 * got it from this replica or through another peer, as far as this replica has heard.
 */
public final class Write {

  private final Replica replica;
  private final Dot dot; // null when the mutation changed nothing

  Write(Replica replica, Dot dot) {
    this.replica = replica;
    this.dot = dot;
  }

  /** The write's dot in this replica's feed; null if the mutation changed nothing. */
  public Dot dot() {
    return dot;
  }

  /** Whether the mutation changed anything (a no-op writes no delta). */
  public boolean changed() {
    return dot != null;
  }

  /** Completes once every one of {@code devices} holds this write. */
  public CompletableFuture<Void> on(ReplicaId... devices) {
    if (dot == null) {
      return CompletableFuture.completedFuture(null);
    }
    return replica.receipt(dot, List.of(devices), devices.length).thenApply(s -> null);
  }

  /** Completes with the devices holding this write, once {@code n} of them do. */
  public CompletableFuture<Set<ReplicaId>> onAny(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1");
    }
    if (dot == null) {
      return CompletableFuture.completedFuture(Set.of());
    }
    return replica.receipt(dot, null, n);
  }

  /** The devices known to hold this write now. */
  public Set<ReplicaId> acknowledgedBy() {
    return dot == null ? Set.of() : replica.holders(dot);
  }

  @Override
  public String toString() {
    return "Write(" + dot + ")";
  }
}
