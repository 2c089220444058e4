package io.tandem.replication;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.spi.PendingAppend;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Records from peers that the causal buffer released and the store queued, not yet durable and
 * applied. The laws: {@link #accepted} is the applied vector joined with every batch in flight,
 * so the buffer releases only what continues them and drops what repeats them; batches are
 * applied in the order they were queued, each once durable, so the applied vector (the only one
 * acknowledged to peers) never covers a record that is not durable, and grows feed by feed
 * without a gap. Not thread-safe: the replica calls it under its lock.
 */
final class InFlight {

  /** One append of received records queued in the store. */
  static final class Batch {
    final List<CausalBuffer.Received> records;
    final PendingAppend append;
    /** Completes once the batch is applied or dropped. */
    final CompletableFuture<Void> settled = new CompletableFuture<>();
    private boolean durable;
    private RuntimeException failure;

    Batch(List<CausalBuffer.Received> records, PendingAppend append) {
      this.records = records;
      this.append = append;
    }

    /** Why the store failed it, or null if it is durable. */
    RuntimeException failure() {
      return failure;
    }
  }

  private final ArrayDeque<Batch> queued = new ArrayDeque<>();
  /** Batches queued since the last {@link #takeUnawaited}, whose durability nobody awaits. */
  private final List<Batch> unawaited = new ArrayList<>();
  /** Per origin, the highest sequence number in flight; empty when nothing is. */
  private VersionVector inFlight = VersionVector.empty();
  /**
   * Per origin, how many records in flight it has: a batch released later continues the
   * earlier ones, so an origin's highest number in flight stays until its last record settles.
   */
  private final Map<ReplicaId, Integer> perOrigin = new HashMap<>();

  /** {@code applied} joined with the records in flight. */
  VersionVector accepted(VersionVector applied) {
    return inFlight.isEmpty() ? applied : applied.merge(inFlight);
  }

  boolean isEmpty() {
    return queued.isEmpty();
  }

  /** {@code ready}, released in causal order, is queued in the store as {@code append}. */
  Batch queued(List<CausalBuffer.Received> ready, PendingAppend append) {
    for (CausalBuffer.Received x : ready) {
      DeltaRecord r = x.record();
      if (r.seq() > inFlight.get(r.origin())) {
        inFlight = inFlight.with(r.origin(), r.seq());
      }
      perOrigin.merge(r.origin(), 1, Integer::sum);
    }
    Batch b = new Batch(ready, append);
    queued.add(b);
    unawaited.add(b);
    return b;
  }

  /**
   * The batches queued since the last call, taken out: the caller that queued them awaits their
   * durability once it let go of the lock. Since the lock is exclusive, they are its own.
   */
  List<Batch> takeUnawaited() {
    if (unawaited.isEmpty()) {
      return List.of();
    }
    List<Batch> out = new ArrayList<>(unawaited);
    unawaited.clear();
    return out;
  }

  /**
   * The store settled {@code b}, durable or failed with {@code failure}: returns the batches now
   * settled at the head of the queue, in queue order, taken out; later ones wait for the earlier.
   */
  List<Batch> settled(Batch b, RuntimeException failure) {
    b.durable = failure == null;
    b.failure = failure;
    if (failure == null) {
      // Batches the store made durable in one group with b settle with it: applied, and
      // acknowledged, as one, not one batch per completion.
      for (Batch x : queued) {
        if (x.durable || x.failure != null) {
          continue;
        }
        if (!x.append.durable()) {
          break;
        }
        x.durable = true;
      }
    }
    List<Batch> out = new ArrayList<>();
    while (!queued.isEmpty() && (queued.peek().durable || queued.peek().failure != null)) {
      Batch done = queued.poll();
      out.add(done);
      for (CausalBuffer.Received x : done.records) {
        ReplicaId origin = x.record().origin();
        if (perOrigin.merge(origin, -1, Integer::sum) == 0) {
          perOrigin.remove(origin);
          inFlight = inFlight.with(origin, 0);
        }
      }
    }
    return out;
  }

  /** Every batch in flight, taken out, for a replica that closes. */
  List<Batch> clear() {
    List<Batch> out = new ArrayList<>(queued);
    queued.clear();
    unawaited.clear();
    perOrigin.clear();
    inFlight = VersionVector.empty();
    return out;
  }
}
