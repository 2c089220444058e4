package io.tandem.replication;

import io.tandem.crdt.ReplicaId;
import io.tandem.replication.spi.Scheduler;
import java.util.List;

/**
 * A replica's timer: every tick, sessions resend what is overdue or was lost, records held for a
 * clock too far ahead are tried again, the peers' vectors learned since are saved (once per
 * tick, not once per ack), and compaction runs when it is due, outside the lock.
 */
final class Ticker {

  private final Replica r;
  private final Scheduler scheduler;
  private Scheduler.Cancellable task;

  Ticker(Replica replica, Scheduler scheduler) {
    this.r = replica;
    this.scheduler = scheduler;
  }

  /** Schedules the next tick. Under the lock. */
  void schedule() {
    task = scheduler.schedule(r.config.tickMillis(), this::tick);
  }

  /** Calls off the next tick. Under the lock. */
  void cancel() {
    if (task != null) {
      task.cancel();
    }
  }

  private void tick() {
    List<InFlight.Batch> queued;
    r.lock.lock();
    try {
      if (r.closed) {
        return;
      }
      long now = r.clock.millis();
      r.expiry.sweep(now); // before sessions read records to send
      r.sessions.tick(now);
      if (r.buffer.size() > 0) {
        r.inbound.release(now);
      }
      saveLearnedPeers();
      r.compactor.tick(now);
      schedule();
      queued = r.inbound.takeQueued();
    } finally {
      r.lock.unlock();
    }
    r.inbound.settle(queued, false);
    boolean compact;
    r.lock.lock();
    try {
      compact = !r.closed && r.compactor.due();
    } finally {
      r.lock.unlock();
    }
    if (compact) {
      r.compact(true);
    }
  }

  /** Saves the acknowledged vectors of the peers that grew since. Under the lock. */
  void saveLearnedPeers() {
    for (ReplicaId peer : r.unsavedPeers) {
      r.store.savePeerVector(peer, r.receipts.known().get(peer));
    }
    r.unsavedPeers.clear();
  }
}
