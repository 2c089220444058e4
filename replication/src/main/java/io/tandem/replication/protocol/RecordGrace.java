package io.tandem.replication.protocol;

import io.tandem.crdt.ReplicaId;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * When this replica came to hold each record of a feed, so that a record is held back from one
 * peer until it has been held for a grace: in the meantime another path (a relay, or the record's
 * own author) brings it, and the peer's ack says so. Per record, not per feed: a feed written
 * without pause always has a newest record the peer lacks, and a wait counted per feed ended a
 * grace after the stream began and then let every later record go at once.
 *
 * <p>Marks are coarse: a mark taken within {@code graceMillis / 16} of the previous one moves that
 * one forward, so a feed keeps at most about sixteen marks per grace and a record may go up to a
 * sixteenth of the grace early.
 */
final class RecordGrace {

  /** Held up to {@code seq} of a feed since {@code since}. */
  private record Mark(long seq, long since) {}

  /** One feed: up to where its records may go, and the marks of those still waiting. */
  private static final class Feed {
    long sendable;
    final ArrayDeque<Mark> waiting = new ArrayDeque<>();
  }

  private final Map<ReplicaId, Feed> feeds = new HashMap<>();
  private long nextDue = Long.MAX_VALUE;

  /**
   * The last record of {@code origin}'s feed that has been held for {@code graceMillis} at
   * {@code now}, given that this replica holds the feed up to {@code held}: records above it wait,
   * and {@link #due} turns true when the next of them may go.
   */
  long heldLongEnough(ReplicaId origin, long held, long now, long graceMillis) {
    Feed feed = feeds.computeIfAbsent(origin, o -> new Feed());
    Mark last = feed.waiting.peekLast();
    long marked = last != null ? last.seq() : feed.sendable;
    if (held > marked) {
      if (last != null && now - last.since() < graceMillis / 16) {
        feed.waiting.pollLast();
        feed.waiting.addLast(new Mark(held, last.since()));
      } else {
        feed.waiting.addLast(new Mark(held, now));
      }
    }
    while (!feed.waiting.isEmpty() && now - feed.waiting.peekFirst().since() >= graceMillis) {
      feed.sendable = feed.waiting.pollFirst().seq();
    }
    if (!feed.waiting.isEmpty()) {
      nextDue = Math.min(nextDue, feed.waiting.peekFirst().since() + graceMillis);
    }
    return feed.sendable;
  }

  /** The peer holds all of {@code origin}'s feed that we hold: no record of it waits. */
  void caughtUp(ReplicaId origin) {
    feeds.remove(origin);
  }

  /** Makes {@link #due} turn true at {@code at}: the session has a wait of its own to end. */
  void wakeAt(long at) {
    nextDue = Math.min(nextDue, at);
  }

  /** Whether a wait ended by {@code now}: the session should look again at what to send. */
  boolean due(long now) {
    if (now < nextDue) {
      return false;
    }
    nextDue = Long.MAX_VALUE;
    return true;
  }
}
