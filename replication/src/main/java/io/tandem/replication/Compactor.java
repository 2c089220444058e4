package io.tandem.replication;

import io.tandem.crdt.Crdt;
import io.tandem.crdt.Hlc;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.spi.ReplicaStore;
import io.tandem.replication.spi.Snapshot;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds causally stable records into the snapshot, so the log holds only the unstable tail.
 *
 * <p>A record is causally stable once every peer that still counts holds it: no peer will ever
 * ask for it again by its id, and a peer that falls behind the snapshot gets the snapshot. The
 * stable vector is the meet (entry-wise minimum) of this replica's vector and each counted
 * peer's acknowledged vector; a peer silent for longer than the forget-after time no longer
 * counts (delta_crdt_ex#13: one silent peer must not stop compaction for ever).
 *
 * <p>A snapshot's vector must be causally closed, for a replica that installs it takes that
 * vector as its own and checks later records' dependencies only against it. Acknowledged vectors
 * may be partial (a peer's records prove part of its vector), so the target is cut back, feed by
 * feed, below any folded record whose dependencies it does not cover, until none is left. Work
 * per run is bounded the same way: each feed folds at most its share of the batch.
 *
 * <p>A run reads the snapshot and the records outside the store's lock (writes go on meanwhile),
 * so a purge may land between its reads and its save. Saving then would undo the purge, putting
 * back the payloads it replaced; the run saves with
 * {@link io.tandem.replication.spi.ReplicaStore#saveSnapshotUnlessPurged}, against the store's
 * purge count read before anything it folds, and a refused run is folded again on the next tick.
 */
final class Compactor {

  private static final System.Logger LOG = System.getLogger(Compactor.class.getName());

  private final int batch;
  private final long forgetAfterMillis;
  /** When each known peer was last heard from, by the replica's clock. */
  private final Map<ReplicaId, Long> lastHeard = new HashMap<>();
  /** Peers silent for longer than the forget-after time: they no longer count. */
  private final Set<ReplicaId> forgotten = new HashSet<>();
  private boolean due;
  private long runs;
  /** The target the last automatic look saw ({@link #worthARun}). */
  private VersionVector lastSeen = VersionVector.empty();

  /**
   * @param batch records folded per run; 0 for compaction only when asked for
   * @param known the peers met before a restart: their silence counts from {@code now}
   */
  Compactor(int batch, long forgetAfterMillis, Collection<ReplicaId> known, long now) {
    this.batch = batch;
    this.forgetAfterMillis = forgetAfterMillis;
    known.forEach(p -> lastHeard.put(p, now));
    due = batch > 0;
  }

  /** Whether a run may fold something now, when compaction runs by itself. */
  boolean due() {
    return due && batch > 0;
  }

  /** The peer was heard from; {@code acknowledged} says it acknowledged more than before. */
  void heard(ReplicaId peer, long now, boolean acknowledged) {
    lastHeard.put(peer, now);
    due |= acknowledged;
  }

  /** A peer newly forgotten lets compaction go on past what it holds. */
  void tick(long now) {
    if (batch == 0) {
      return;
    }
    lastHeard.forEach((peer, at) -> {
      boolean silent = now - at > forgetAfterMillis;
      if (silent && forgotten.add(peer)) {
        LOG.log(System.Logger.Level.INFO,
            "peer {0} silent for {1} ms: compaction no longer waits for it", peer, now - at);
        due = true;
      } else if (!silent) {
        forgotten.remove(peer);
      }
    });
  }

  /** What {@code mine} and every peer that still counts hold: the target of a run. */
  VersionVector target(VersionVector mine, Map<ReplicaId, VersionVector> known, long now) {
    due = false;
    List<VersionVector> counted = new ArrayList<>();
    known.forEach((peer, v) -> {
      if (now - lastHeard.getOrDefault(peer, now) <= forgetAfterMillis) {
        counted.add(v);
      }
    });
    return stable(mine, counted);
  }

  /**
   * Whether an automatic run towards {@code target} is worth its cost now. A run rewrites the
   * whole snapshot, whatever it folds, so it waits until a batch of stable records is in the log
   * beyond {@code folded} (the snapshot's vector), or until the target stopped moving (writes
   * paused: the rest is folded then, so a log at rest is empty). While it waits it looks again on
   * every tick; that look costs no store access.
   */
  boolean worthARun(VersionVector target, VersionVector folded) {
    long waiting = 0;
    for (int i = 0; i < target.size(); i++) {
      waiting += Math.max(0, target.counterAt(i) - folded.get(target.replicaAt(i)));
    }
    boolean settled = target.equals(lastSeen);
    lastSeen = target;
    if (waiting >= batch() || waiting > 0 && settled) {
      return true;
    }
    due = waiting > 0;
    return false;
  }

  /** A run towards {@code target} saved {@code next}. */
  void folded(Snapshot next, VersionVector target) {
    runs++;
    // Cut short by the batch bound: the next tick goes on.
    due = !next.vector().descends(target);
  }

  /** A purge came between a run's reads and its save, which the store refused: run again. */
  void refused() {
    due = true;
  }

  /** Records folded in a run at most. */
  int batch() {
    return batch > 0 ? batch : 1024;
  }

  long runs() {
    return runs;
  }

  /** The meet of {@code mine} and every vector of {@code peers}. */
  static VersionVector stable(VersionVector mine, Collection<VersionVector> peers) {
    long[] ids = new long[mine.size()];
    long[] counters = new long[mine.size()];
    int n = 0;
    for (int i = 0; i < mine.size(); i++) {
      ReplicaId origin = mine.replicaAt(i);
      long min = mine.counterAt(i);
      for (VersionVector p : peers) {
        min = Math.min(min, p.get(origin));
      }
      if (min > 0) {
        ids[n] = origin.value();
        counters[n++] = min;
      }
    }
    return VersionVector.ofSorted(java.util.Arrays.copyOf(ids, n),
        java.util.Arrays.copyOf(counters, n));
  }

  /**
   * The snapshot {@code base} advanced towards {@code target} by at most about
   * {@code maxRecords} records, or null if nothing can be folded.
   */
  static Snapshot fold(ReplicaStore store, Snapshot base, VersionVector target, int maxRecords) {
    VersionVector wanted = cap(base.vector(), base.vector().merge(target), maxRecords);
    VersionVector goal = wanted;
    Map<ReplicaId, List<DeltaRecord>> runs = new HashMap<>();
    for (int i = 0; i < wanted.size(); i++) {
      ReplicaId origin = wanted.replicaAt(i);
      long from = base.vector().get(origin) + 1;
      List<DeltaRecord> run = new ArrayList<>();
      while (from <= wanted.counterAt(i)) {
        List<DeltaRecord> part = store.readFeed(origin, from,
            (int) Math.min(1024, wanted.counterAt(i) - from + 1));
        if (part.isEmpty()) {
          break; // not held (yet): the goal is cut back below
        }
        run.addAll(part);
        from = part.get(part.size() - 1).seq() + 1;
      }
      runs.put(origin, run);
      if (from <= wanted.counterAt(i)) {
        goal = goal.with(origin, from - 1);
      }
    }
    goal = closed(base.vector(), goal, runs);
    if (goal.equals(base.vector())) {
      return null;
    }
    Map<String, Crdt<?>> objects = new HashMap<>();
    base.objects().forEach((name, bytes) -> objects.put(name, Replay.decode(bytes, name)));
    Hlc clock = base.clock();
    for (Map.Entry<ReplicaId, List<DeltaRecord>> e : runs.entrySet()) {
      long upTo = goal.get(e.getKey());
      for (DeltaRecord r : e.getValue()) {
        if (r.seq() > upTo) {
          break;
        }
        Crdt<?> delta = Replay.decode(r);
        objects.merge(r.object(), Crdts.merge(Crdts.emptyLike(delta), delta), Crdts::merge);
        clock = clock == null ? r.hlc() : clock.max(r.hlc());
      }
    }
    return new Snapshot(goal, encode(objects), clock);
  }

  /** Each feed's share of the batch: the goal grows by at most {@code max} records in all. */
  private static VersionVector cap(VersionVector base, VersionVector goal, int max) {
    long total = 0;
    for (int i = 0; i < goal.size(); i++) {
      total += goal.counterAt(i) - base.get(goal.replicaAt(i));
    }
    if (total <= max) {
      return goal;
    }
    VersionVector out = goal;
    long share = Math.max(1, max / Math.max(1, goal.size()));
    for (int i = 0; i < goal.size(); i++) {
      ReplicaId origin = goal.replicaAt(i);
      out = out.with(origin, Math.min(goal.counterAt(i), base.get(origin) + share));
    }
    return out;
  }

  /** Cuts {@code goal} back until every record it adds to {@code base} has its dependencies. */
  private static VersionVector closed(VersionVector base, VersionVector goal,
      Map<ReplicaId, List<DeltaRecord>> runs) {
    boolean cut = true;
    while (cut) {
      cut = false;
      for (Map.Entry<ReplicaId, List<DeltaRecord>> e : runs.entrySet()) {
        ReplicaId origin = e.getKey();
        for (DeltaRecord r : e.getValue()) {
          if (r.seq() > goal.get(origin)) {
            break;
          }
          if (!goal.descends(r.deps())) {
            goal = goal.with(origin, r.seq() - 1); // 0 drops the entry
            cut = true;
            break;
          }
        }
      }
    }
    return goal.merge(base);
  }

  static Map<String, byte[]> encode(Map<String, Crdt<?>> objects) {
    Map<String, byte[]> out = new HashMap<>();
    objects.forEach((name, state) -> out.put(name, BinaryCodec.encode(state)));
    return out;
  }
}
