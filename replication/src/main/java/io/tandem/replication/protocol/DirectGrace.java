package io.tandem.replication.protocol;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import java.util.HashMap;
import java.util.Map;

/**
 * How long a device holds back records from another device while a relay is at hand: per feed,
 * the peer is sent what it lacks only once it has lacked it for {@code graceMillis}. In the
 * meantime the relay, which the device sends to at once, forwards them, and the peer's ack (sent
 * to every peer when its vector grows) says it holds them, so nothing goes directly.
 *
 * <p>Why: a record sent to the relay and to the other device crosses the author's link twice; one
 * fetched through the relay crosses each device's link once, and the relay path is a round trip
 * longer at most. The relay is never needed for correctness: whatever the peer still lacks after
 * the grace goes directly, as it would without a relay.
 */
final class DirectGrace {

  private final long graceMillis;
  /** Per feed, since when the peer has lacked records we hold and held back. */
  private final Map<ReplicaId, Long> lackingSince = new HashMap<>();
  private long nextDue = Long.MAX_VALUE;

  DirectGrace(long graceMillis) {
    this.graceMillis = graceMillis;
  }

  /**
   * Whether {@code origin}'s records the peer lacks may go directly at {@code now}; if not yet,
   * the wait starts (or goes on) and {@link #due} turns true when it ends.
   */
  boolean mayGo(ReplicaId origin, long now) {
    long since = lackingSince.computeIfAbsent(origin, o -> now);
    if (now - since >= graceMillis) {
      return true;
    }
    nextDue = Math.min(nextDue, since + graceMillis);
    return false;
  }

  /** The peer lacks nothing of {@code origin}'s feed that we hold: the next record waits anew. */
  void caughtUp(ReplicaId origin) {
    lackingSince.remove(origin);
  }

  /**
   * Forgets the waits for feeds of which {@code held} has all that {@code offered} names: the
   * records came by another way, and the next offer of this peer waits anew.
   */
  void forgetHeld(VersionVector held, VersionVector offered) {
    lackingSince.keySet().removeIf(o -> held.get(o) >= offered.get(o));
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
