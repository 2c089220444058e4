package io.tandem.replication;

import io.tandem.crdt.Crdt;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Records that arrived before their dependencies, waiting to be applied. Bounded in records and
 * bytes: past the bound it evicts the records furthest from being applicable, which is safe
 * because nothing in here was acknowledged; the peer resends it. Each record waits with its
 * payload decoded, as the frame's validation decoded it, so no payload is decoded twice.
 */
final class CausalBuffer {

  /** A received record, validated, and its payload decoded. */
  record Received(DeltaRecord record, Crdt<?> delta) {}

  private final int maxRecords;
  private final long maxBytes;
  private final Map<ReplicaId, TreeMap<Long, Received>> feeds = new HashMap<>();
  private int size;
  private long bytes;
  private long evictions;

  CausalBuffer(int maxRecords, long maxBytes) {
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
  }

  /** Whether {@code applied} covers {@code r} or {@code r} waits here already. */
  boolean holds(DeltaRecord r, VersionVector applied) {
    if (r.seq() <= applied.get(r.origin())) {
      return true;
    }
    TreeMap<Long, Received> feed = feeds.get(r.origin());
    return feed != null && feed.containsKey(r.seq());
  }

  /**
   * Keeps {@code r}, whose payload decodes to {@code delta}, unless {@code applied} already
   * covers it or it is here already.
   */
  boolean add(DeltaRecord r, Crdt<?> delta, VersionVector applied) {
    if (r.seq() <= applied.get(r.origin())) {
      return false;
    }
    TreeMap<Long, Received> feed = feeds.computeIfAbsent(r.origin(), o -> new TreeMap<>());
    if (feed.putIfAbsent(r.seq(), new Received(r, delta)) != null) {
      return false;
    }
    size++;
    bytes += r.weight();
    while (size > maxRecords || bytes > maxBytes) {
      evictFurthest();
    }
    return feed.containsKey(r.seq());
  }

  /**
   * Takes out, in a causal order, every record that can be applied after {@code applied}: the
   * next of its feed, with its dependencies covered. Records {@code hold} says to keep wait.
   */
  List<Received> drain(VersionVector applied, Predicate<DeltaRecord> hold) {
    List<Received> out = new ArrayList<>();
    VersionVector v = applied;
    boolean progress = true;
    while (progress && size > 0) {
      progress = false;
      for (Map.Entry<ReplicaId, TreeMap<Long, Received>> e : new ArrayList<>(feeds.entrySet())) {
        TreeMap<Long, Received> feed = e.getValue();
        // Drop what became stale (applied meanwhile by another path).
        while (!feed.isEmpty() && feed.firstKey() <= v.get(e.getKey())) {
          remove(feed.pollFirstEntry().getValue());
        }
        while (!feed.isEmpty() && feed.firstKey() == v.get(e.getKey()) + 1) {
          Received next = feed.firstEntry().getValue();
          DeltaRecord r = next.record();
          if (!v.descends(r.deps()) || hold.test(r)) {
            break;
          }
          feed.pollFirstEntry();
          remove(next);
          out.add(next);
          v = v.with(r.origin(), r.seq());
          progress = true;
        }
        if (feed.isEmpty()) {
          feeds.remove(e.getKey());
        }
      }
    }
    return out;
  }

  private void evictFurthest() {
    ReplicaId worst = null;
    long worstSeq = -1;
    for (Map.Entry<ReplicaId, TreeMap<Long, Received>> e : feeds.entrySet()) {
      long last = e.getValue().lastKey() - e.getValue().firstKey();
      if (last > worstSeq || worst == null) {
        worst = e.getKey();
        worstSeq = last;
      }
    }
    TreeMap<Long, Received> feed = feeds.get(worst);
    remove(feed.pollLastEntry().getValue());
    if (feed.isEmpty()) {
      feeds.remove(worst);
    }
    evictions++;
  }

  private void remove(Received r) {
    size--;
    bytes -= r.record().weight();
  }

  int size() {
    return size;
  }

  long bytes() {
    return bytes;
  }

  long evictions() {
    return evictions;
  }
}
