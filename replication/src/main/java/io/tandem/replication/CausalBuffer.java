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
 * because nothing in here was acknowledged. Each record waits with its payload decoded, as the
 * frame's validation decoded it, so no payload is decoded twice.
 *
 * <p>What it evicted it remembers as a range per feed and per peer that sent it, until the next
 * record the feed needs is missing: then {@link #due} names the records to ask that peer for
 * again. Asked when they can apply, not when evicted, so they come back to be applied rather than
 * to fill the buffer again; over an ordered link nothing else would bring them before the longest
 * resend delay. Records the store failed after they left the buffer are remembered the same
 * way ({@link #lost}). A record that can apply now is never evicted, and one asked for that came
 * and was evicted again (its dependencies missing) is asked for once more only after something
 * else was applied, so no pair of replicas trades a record for ever.
 */
final class CausalBuffer {

  /** A received record, validated, its payload decoded, and the peer it came from. */
  record Received(DeltaRecord record, Crdt<?> delta, Sessions.Link from) {}

  /** Records {@code from..to} of {@code origin}'s feed evicted, to ask {@code peer} for again. */
  record Evicted(ReplicaId origin, long from, long to, Sessions.Link peer) {}

  /** Feeds and peers whose evicted records are remembered and asked for again, at most. */
  static final int MAX_EVICTED_FEEDS = 1_024;

  private final int maxRecords;
  private final long maxBytes;
  private final Map<ReplicaId, TreeMap<Long, Received>> feeds = new HashMap<>();
  /** What was evicted, per feed and the peer that sent it: each is asked for what it sent. */
  private final Map<Source, Evicted> evicted = new HashMap<>();
  /** Per feed and peer, the record last asked for again and the applied total when it was. */
  private final Map<Source, long[]> asked = new HashMap<>();

  private record Source(ReplicaId origin, Sessions.Link peer) {}
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
   * Keeps {@code r}, whose payload decodes to {@code delta}, sent by {@code from}, unless
   * {@code applied} already covers it or it is here already.
   *
   * @return whether it was new here (kept, or evicted at once as the furthest)
   */
  boolean add(DeltaRecord r, Crdt<?> delta, VersionVector applied, Sessions.Link from) {
    if (r.seq() <= applied.get(r.origin())) {
      return false;
    }
    TreeMap<Long, Received> feed = feeds.computeIfAbsent(r.origin(), o -> new TreeMap<>());
    if (feed.putIfAbsent(r.seq(), new Received(r, delta, from)) != null) {
      return false;
    }
    size++;
    bytes += r.weight();
    while (size > maxRecords || bytes > maxBytes) {
      evictFurthest(applied);
    }
    return true;
  }

  /**
   * Takes out the evicted ranges of feeds whose next record after {@code applied} is missing, from
   * that record on: it can apply as soon as it comes, if its dependencies are there. Ranges
   * {@code applied} caught up with meanwhile are forgotten.
   */
  List<Evicted> due(VersionVector applied) {
    if (evicted.isEmpty()) {
      return List.of();
    }
    long progress = total(applied);
    asked.entrySet().removeIf(a -> applied.get(a.getKey().origin()) >= a.getValue()[0]);
    List<Evicted> out = new ArrayList<>();
    for (var it = evicted.values().iterator(); it.hasNext(); ) {
      Evicted e = it.next();
      long next = applied.get(e.origin()) + 1;
      TreeMap<Long, Received> feed = feeds.get(e.origin());
      if (next > e.to()) {
        it.remove(); // came back by another path
      } else if (feed == null || !feed.containsKey(next)) {
        // The next to apply is missing: asked from the peer that sent later ones, which holds
        // the feed up to them, whether the missing one was evicted too or never came.
        Source key = new Source(e.origin(), e.peer());
        long[] last = asked.get(key);
        if (last != null && last[0] == next && last[1] == progress
            || last == null && asked.size() >= MAX_EVICTED_FEEDS) {
          // Asked already, came, and was evicted again waiting for its dependencies: asked once
          // more only after something was applied, or the two sides would trade it for ever.
          continue;
        }
        asked.put(key, new long[] {next, progress});
        out.add(new Evicted(e.origin(), next, e.to(), e.peer()));
        it.remove();
      }
    }
    return out;
  }

  private static long total(VersionVector v) {
    long n = 0;
    for (int i = 0; i < v.size(); i++) {
      n += v.counterAt(i);
    }
    return n;
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

  /**
   * Evicts the record furthest ahead of its feed's applied records, sparing one that can apply
   * now (it may have come on request, and evicting it would only have it asked for again) unless
   * every one can.
   */
  private void evictFurthest(VersionVector applied) {
    ReplicaId worst = null;
    long worstAhead = -1;
    for (Map.Entry<ReplicaId, TreeMap<Long, Received>> e : feeds.entrySet()) {
      long ahead = e.getValue().lastKey() - applied.get(e.getKey());
      boolean spare = applicable(e.getValue().lastEntry().getValue().record(), applied);
      if (worst == null || !spare && ahead > worstAhead) {
        worst = e.getKey();
        worstAhead = spare ? -1 : ahead;
      }
    }
    TreeMap<Long, Received> feed = feeds.get(worst);
    Received x = feed.pollLastEntry().getValue();
    remove(x);
    if (feed.isEmpty()) {
      feeds.remove(worst);
    }
    evictions++;
    remember(x);
  }

  /**
   * {@code x} left the buffer but was not applied (the store failed the batch it was in): it is
   * asked for again as an evicted record is, rather than after the peer's longest resend delay.
   */
  void lost(Received x) {
    remember(x);
  }

  private void remember(Received x) {
    ReplicaId origin = x.record().origin();
    long seq = x.record().seq();
    Source key = new Source(origin, x.from());
    if (evicted.size() < MAX_EVICTED_FEEDS || evicted.containsKey(key)) {
      // Past that many (a person has a handful of devices) the peers' timed resends and the
      // stall's reset bring records back, slower, and this stays bounded whatever peers send.
      evicted.merge(key, new Evicted(origin, seq, seq, x.from()), (a, b) -> new Evicted(
          a.origin(), Math.min(a.from(), b.from()), Math.max(a.to(), b.to()), a.peer()));
    }
  }

  private static boolean applicable(DeltaRecord r, VersionVector applied) {
    return r.seq() == applied.get(r.origin()) + 1 && applied.descends(r.deps());
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
