package io.tandem.replication.protocol;

import io.tandem.crdt.ReplicaId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which of a third replica's records may go to this session's peer now, and which wait because
 * another path brings them. Kept apart from the sending, as Pekko keeps its
 * {@code DeltaPropagationSelector}, because it is a routing decision: the session only sends what
 * it allows.
 *
 * <p>A record goes directly only once held for a grace and still lacking (the peer's ack, sent to
 * every peer when its vector grows, says what it got meanwhile), in two cases:
 * <ul>
 *   <li>a device holds records back from another device while a relay session is open, for the
 *       relay to bring them (part 4, world (b): each record then crosses a device's link once);
 *   <li>over an ordered transport, a replica holds a third replica's records back from the peer
 *       while that replica is connected here: it is online and pushes its own records to each of
 *       its peers itself, so in a mesh the peer has them from it. The grace is at least the
 *       peer's ack timeout, so a busy peer is not sent what is on its way to it anyway. Where
 *       the peer has no such path (A - B - C, A and C never meet) the first record waits its
 *       grace, and the feed goes at once from then on ({@link #onlyFromHere}); a peer whose acks
 *       lately covered records we never sent it is only busy, and waits on. Measured in
 *       part 2 (three devices, TCP, all writing): every write reached each receiver twice,
 *       once from its author and once relayed.
 *   <li>over a lossy, unordered link in batch mode, a replica holds a third replica's record
 *       back from the peer while that replica is connected here, for eight resend caps (16 s by
 *       default):
 *       its author resends it to the peer until the peer acks it, and a second copy from here
 *       ran a second resend loop beside that one, stopped only by the peer's acks to us, which
 *       are lost as often. Measured in part 4's world (a) (nine sends in ten lost), seed 10:
 *       11,857 of 33,845 record copies were such forwards, 357 of them the first to arrive, and
 *       7,393 went to a peer that already held the record. Only what the peer still lacks, as
 *       far as we know, when the wait ends goes from here; a pair that cannot reach each other
 *       at all thus waits that long per record, where an ordered link learns the route. (In
 *       interactive mode a third replica's records are offered, a few bytes, not pushed.)
 * </ul>
 * Otherwise every record held may go.
 */
final class HoldBack {

  private final SyncSession.Local local;
  private final SessionConfig config;
  private final PeerView peer;
  /** Records held back from this peer while another path brings them. */
  private final RecordGrace grace = new RecordGrace();
  /**
   * Feeds of third replicas connected here that the peer gets only from us, as far as we know: a
   * record of theirs still lacking after its grace went from here. Forgotten once the peer's ack
   * covers records of the feed we never sent it: it has another path again.
   */
  private final Set<ReplicaId> onlyFromHere = new HashSet<>();
  /** Per feed of a third replica, when the peer's ack last covered records we never sent it. */
  private final Map<ReplicaId, Long> elsewhereAt = new HashMap<>();

  HoldBack(SyncSession.Local local, SessionConfig config, PeerView peer) {
    this.local = local;
    this.config = config;
    this.peer = peer;
  }

  /**
   * The last of {@code origin}'s records, of the {@code held} we hold, that may go to the peer
   * now, given that it holds or was sent them up to {@code has} and that its acks time out after
   * {@code timeout}.
   */
  long sendableUpTo(ReplicaId origin, long held, long has, long timeout, long now) {
    if (config.relay() || peer.relay()) {
      return held;
    }
    long least = SyncSession.grace(config);
    if (local.relayOpen()) {
      return grace.heldLongEnough(origin, held, now, least);
    }
    if (config.ordered() && !origin.equals(local.id()) && !onlyFromHere.contains(origin)
        && local.connected(origin)) {
      long wait = Math.max(least, timeout);
      long last = grace.heldLongEnough(origin, held, now, wait);
      if (last <= has) {
        return last;
      }
      // The peer still lacks records that waited their grace. If it got others of the feed by
      // another path within the grace, it is only busy: they are on their way to it.
      long seen = elsewhereAt.getOrDefault(origin, Long.MIN_VALUE);
      if (seen != Long.MIN_VALUE && now - seen < wait) {
        grace.wakeAt(seen + wait);
        return has;
      }
      onlyFromHere.add(origin);
      return held;
    }
    if (!config.ordered() && !config.interactive() && !origin.equals(local.id())
        && local.connected(origin)) {
      // Over a lossy link its author resends it to the peer until acked; a copy from here only
      // runs a second resend loop beside that one, and the peer's acks to us are lost as often.
      return grace.heldLongEnough(origin, held, now, lossyGrace(config));
    }
    return held;
  }

  /**
   * Over a lossy link, how long a third replica's record waits for its author: eight of the
   * longest resend delays (16 s by default), eight chances for the author's own resends, and
   * never longer than the configured cap (30 s by default), so that a session quiet for that
   * long has nothing left to send. Longer waits saved a little more in part 4's world (a) (60 s:
   * 19–24x the payload against 22–26x) but sent records after the traffic of a healed partition
   * had otherwise stopped.
   */
  static long lossyGrace(SessionConfig config) {
    return Math.min(config.maxBackoffMillis(),
        SyncSession.LOSSY_CAP_DELAYS * SendWindow.resendCap(config));
  }

  /** The peer's ack covered records of {@code origin}'s feed we never sent it: another path. */
  void elsewhere(ReplicaId origin, long now) {
    onlyFromHere.remove(origin);
    elsewhereAt.put(origin, now);
  }

  /** The peer holds all of {@code origin}'s feed that we hold: no record of it waits. */
  void caughtUp(ReplicaId origin) {
    grace.caughtUp(origin);
  }

  /**
   * The feeds this remembers a path of, as the peer's acks and prunes told it (another path, or
   * from here only), for tests; the grace of records held back is not counted.
   */
  int feedsRemembered() {
    Set<ReplicaId> feeds = new HashSet<>(onlyFromHere);
    feeds.addAll(elsewhereAt.keySet());
    return feeds.size();
  }

  /** Whether a wait ended by {@code now}: the session should look again at what to send. */
  boolean due(long now) {
    return grace.due(now);
  }
}
