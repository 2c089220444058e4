package io.tandem.replication;

import io.tandem.crdt.ReplicaId;
import java.util.HashMap;
import java.util.Map;

/**
 * Which session of a replica is about to receive which records, per feed: the highest seq it
 * requested and until when that holds. A session that is offered records another session
 * claimed asks only for those beyond the claim; after the claim lapses anyone may ask again, so
 * a lost answer costs a delay, never a record. One claim per feed, the latest: two peers
 * offering the same run at once is the case this is for (a phone meeting the other phone and
 * the relay together), not many sessions interleaving.
 */
final class Claims {

  private record Claim(long upTo, Object by, long until) {}

  private final Map<ReplicaId, Claim> byFeed = new HashMap<>();

  /** See {@link io.tandem.replication.protocol.SyncSession.Local#claim}. */
  synchronized long claim(ReplicaId origin, long from, long to, Object by, long now,
      long until) {
    Claim c = byFeed.get(origin);
    long free = from;
    if (c != null && !c.by().equals(by) && c.until() > now) {
      free = Math.max(from, c.upTo() + 1);
    }
    if (free <= to) {
      byFeed.put(origin, new Claim(to, by, until));
    }
    return free;
  }
}
