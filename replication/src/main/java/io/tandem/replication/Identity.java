package io.tandem.replication;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.crdt.codec.CodecException;
import io.tandem.replication.log.DeltaRecord;
import java.lang.System.Logger.Level;

/**
 * Finds this replica's id reused and moves the replica to a new one (harmony#79). A store
 * restored from an old backup, or copied to a second device, writes again under numbers its id
 * gave already: two writes under one dot, of which every replica keeps the first it gets and
 * drops the other unread, and the peers, holding more of our feed than we do, were refused for
 * good. What shows it is a record of our own feed from outside: beyond what we hold (a restored
 * store: its peers hold writes it made before the loss), or under a number we hold with other
 * bytes (a copy wrote it). Never a bare claim: a peer's vector or offer stating more of our feed
 * moves nothing (the sessions ignore that part of it), as anybody can state anything.
 *
 * <p>The move: a fresh id, to which the store rebinds while it retires the old one, in one
 * durable step ({@link io.tandem.replication.spi.ReplicaStore#retire}) taken before anything is
 * written under the new id, so a crash leaves the old id unretired (the peers show it again) or
 * the new one in place, and no dot is ever issued twice. The old id's feed becomes a third
 * replica's: the records that showed the reuse are applied as such, being real writes this
 * replica made before its store went back.
 *
 * <p>Law: the replica moves only on a record whose payload decodes, only while none of its own
 * writes is on its way to the store (a session closed meanwhile starts again later), and never
 * over a store that cannot retire ids.
 */
final class Identity {

  private static final System.Logger LOG = System.getLogger(Identity.class.getName());

  private final Replica r;
  /**
   * Off only in the negative control, which shows what is lost without the move: a record
   * beyond our feed is refused again, and another record under a number we hold is dropped
   * unread as a duplicate.
   */
  boolean guard = true;
  private long moves;

  Identity(Replica replica) {
    this.r = replica;
  }

  /**
   * A peer sent {@code d} of this replica's own feed: moves to a new id if it shows the id
   * reused. Under the lock.
   *
   * @return whether the replica moved; {@code d} is a third replica's record then
   */
  boolean reusedIdShownBy(DeltaRecord d) {
    if (!guard || !d.origin().equals(r.id)) {
      return false;
    }
    long held = r.vector.get(r.id);
    String why;
    if (d.seq() > held) {
      why = "a peer holds " + d + " of its feed, beyond the " + held + " it holds:"
          + " its store was restored from a backup";
    } else {
      if (!r.local.holdsOther(d)) {
        return false; // a duplicate, or folded into the snapshot already: nothing to compare
      }
      why = "a peer holds another record than its own under " + d.origin() + ":" + d.seq()
          + ": its store was copied and the copy wrote";
    }
    if (!r.writes.idle(held)) {
      LOG.log(Level.WARNING, "replica {0}: {1}; moves once its own writes under way are"
          + " stored", r.id, why);
      return false;
    }
    if (!decodes(d)) {
      return false;
    }
    ReplicaId next;
    do {
      next = ReplicaId.random();
    } while (next.equals(r.id) || r.vector.get(next) > 0 || r.store.retiredIds().contains(next));
    ReplicaId old = r.id;
    try {
      r.store.retire(old, next);
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "replica {0}: {1}; cannot move to a new id: {2}", old, why,
          e.toString());
      return false;
    }
    r.movedTo(next);
    moves++;
    LOG.log(Level.WARNING, "replica {0}: {1}; moved to {2}, {0} retired", old, why, next);
    r.firing.moved(old, next);
    return true;
  }

  private static boolean decodes(DeltaRecord d) {
    try {
      return Crdts.emptyLike(BinaryCodec.decode(d.payload(), d.origin())) != null;
    } catch (CodecException e) {
      return false;
    }
  }

  /** How often the replica moved to a new id since it opened. */
  long moves() {
    return moves;
  }
}
