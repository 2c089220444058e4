package io.tandem.replication;

import io.tandem.crdt.Crdt;
import io.tandem.crdt.ReplicaId;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.spi.PendingAppend;
import io.tandem.replication.spi.StoreException;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * A replica's own writes between taking their dot and being published: queued in the store,
 * durable but waiting for an earlier one, or failed. The laws: dots are given in order without a
 * gap or a repeat; a write is published only once it and every earlier one are durable; once a
 * write fails, it and every later one never publish, and no write is taken until the replica is
 * reopened. Not thread-safe: the replica calls it under its lock.
 */
final class OwnWrites {

  private static final System.Logger LOG = System.getLogger(OwnWrites.class.getName());

  /** An own write queued in the store, and what its caller is told once it is settled. */
  record Queued(DeltaRecord record, Crdt<?> delta, PendingAppend append,
      CompletableFuture<Write> result) {

    long seq() {
      return record.seq();
    }
  }

  private final ReplicaId id;
  /** The last sequence number given to an own record. */
  private long issued;
  /** Own records queued in the store and not yet settled, in dot order. */
  private final ArrayDeque<Queued> pending = new ArrayDeque<>();
  /** Own records durable but not yet published, waiting for an earlier one. */
  private final TreeMap<Long, Queued> durable = new TreeMap<>();
  /** Per object, its queued own deltas in dot order, so the next write sees them. */
  private final Map<String, ArrayDeque<Crdt<?>>> queued = new HashMap<>();
  /**
   * Per object with queued deltas, its published value joined with them. Whatever is joined into
   * the published value is joined here too ({@link #joined}), so a write with thousands queued
   * before it merges one delta, not all of them. The join of the queued deltas alone is never
   * kept: its causal context is a run of own dots above a gap, which cannot compact, and each
   * write would copy it whole.
   */
  private final Map<String, Crdt<?>> working = new HashMap<>();
  /** Why own writes are refused until the replica is reopened; null while they are not. */
  private RuntimeException writesFailed;
  /** The lowest own sequence number that failed: it and every later one never publish. */
  private long failedSeq = Long.MAX_VALUE;

  OwnWrites(ReplicaId id, long published) {
    this.id = id;
    this.issued = published;
  }

  /**
   * Whether every own record issued is published ({@code published} is the vector's own entry)
   * and writes are not refused: nothing of this id is on its way to the store.
   */
  boolean idle(long published) {
    return issued == published && durable.isEmpty() && writesFailed == null;
  }

  /** @throws StoreException if an earlier write failed */
  void checkWritable() {
    if (writesFailed != null) {
      throw new StoreException("replica " + id + " refuses writes until reopened: write "
          + failedSeq + " failed", writesFailed);
    }
  }

  /** {@code published}, {@code object}'s published value, joined with its queued deltas. */
  Crdt<?> working(String object, Crdt<?> published) {
    ArrayDeque<Crdt<?>> deltas = queued.get(object);
    if (deltas == null) {
      return published;
    }
    return working.computeIfAbsent(object, o -> {
      Crdt<?> w = published;
      for (Crdt<?> d : deltas) {
        w = Crdts.merge(w, d);
      }
      return w;
    });
  }

  /**
   * {@code value} was joined into {@code object}'s published value by something else than an own
   * write: the working value takes it too, since (published ⊔ value) ⊔ queued = working ⊔ value.
   */
  void joined(String object, Crdt<?> value) {
    working.computeIfPresent(object, (o, w) -> Crdts.merge(w, value));
  }

  /**
   * {@code object}'s published value changed otherwise than by a join (it expired): the working
   * value is built again from the queued deltas when next asked for.
   */
  void replaced(String object) {
    working.remove(object);
  }

  /** The sequence number the next write takes. */
  long nextSeq() {
    return issued + 1;
  }

  /**
   * Write {@link #nextSeq} is queued in the store; {@code next} is the {@link #working} value
   * it was made on joined with its delta.
   */
  void issued(Queued q, Crdt<?> next) {
    issued = q.seq();
    pending.addLast(q);
    working.put(q.record().object(), next);
    queued.computeIfAbsent(q.record().object(), o -> new ArrayDeque<>()).addLast(q.delta());
  }

  /** Whether write {@code seq} can no longer publish: it or an earlier one failed. */
  boolean lost(long seq) {
    return seq >= failedSeq;
  }

  /**
   * Write {@code q} is durable; it waits here until it is next in line. A write settled already,
   * with an earlier one of its group ({@link #durableWithGroup}), stays as it is.
   */
  void durable(Queued q) {
    if (unpend(q)) {
      durable.put(q.seq(), q);
    }
  }

  /**
   * The writes next in line whose appends the store says are durable already (committed in one
   * group with a write just settled) are durable too: the group is published, and sent to the
   * peers, as one, not one write per completion (bench part 2: a frame per own write).
   */
  void durableWithGroup() {
    for (Queued q = pending.peekFirst(); q != null && q.append() != null
        && q.append().durable(); q = pending.peekFirst()) {
      pending.pollFirst();
      durable.put(q.seq(), q);
    }
  }

  /** Takes {@code q} out of the pending writes; false if it is not there (settled already). */
  private boolean unpend(Queued q) {
    if (pending.peekFirst() == q) {
      pending.pollFirst();
      return true;
    }
    for (java.util.Iterator<Queued> it = pending.iterator(); it.hasNext(); ) {
      if (it.next() == q) {
        it.remove();
        return true;
      }
    }
    return false;
  }

  /** The durable write that continues {@code published}, taken out, or null if none does. */
  Queued next(long published) {
    if (durable.isEmpty() || durable.firstKey() != published + 1
        || durable.firstKey() >= failedSeq) {
      return null;
    }
    Queued q = durable.pollFirstEntry().getValue();
    String object = q.record().object();
    ArrayDeque<Crdt<?>> deltas = queued.get(object);
    if (deltas == null) {
      return q; // forgotten by refuse: no write is taken any more, so none needs them
    }
    deltas.pollFirst(); // writes of one object are published in dot order, as they were queued
    if (deltas.isEmpty()) {
      queued.remove(object);
      working.remove(object);
    }
    return q;
  }

  /**
   * Write {@code seq} failed: it and every later one are dropped, and writes refused.
   *
   * @return the durable writes dropped, whose callers are still to be told
   */
  List<Queued> refuse(long seq, RuntimeException why) {
    if (seq < failedSeq) {
      failedSeq = seq;
    }
    if (writesFailed == null) {
      writesFailed = why;
      LOG.log(Level.ERROR, "replica {0} refuses writes until reopened: write {1} failed: {2}",
          id, seq, why.getMessage());
    }
    long first = failedSeq;
    pending.removeIf(q -> q.seq() >= first); // their callers hear it as they settle
    Map<Long, Queued> dropped = durable.tailMap(failedSeq, true);
    List<Queued> out = new ArrayList<>(dropped.values());
    dropped.clear();
    queued.clear();
    working.clear();
    return out;
  }

  /** What the caller of lost write {@code seq} is told: its own failure, or an earlier one's. */
  RuntimeException failure(long seq, RuntimeException own) {
    if (seq == failedSeq && own != null) {
      return own;
    }
    return new StoreException("write " + seq + " of replica " + id + " not kept: write "
        + failedSeq + " before it failed", own != null ? own : writesFailed);
  }
}
