package io.tandem.replication;

import io.tandem.crdt.VersionVector;
import io.tandem.replication.spi.Snapshot;

/**
 * One compaction run of a replica: what is stable is read under the replica's lock, folded into
 * the next snapshot outside it (the run reads the store and may take long), and saved under the
 * lock again unless something moved meanwhile: a fetched snapshot installed, or a purge that
 * replaced payloads the fold read (then the records are folded again on the next tick).
 */
final class CompactionRun {

  private CompactionRun() {}

  /**
   * @param automatic whether the tick runs it: then only when worth a run's cost
   * @return the snapshot's vector after the run
   */
  static VersionVector run(Replica r, boolean automatic) {
    Snapshot base;
    VersionVector target;
    long purges;
    r.lock.lock();
    try {
      if (r.closed) {
        return VersionVector.empty();
      }
      target = r.compactor.target(r.vector, r.receipts.known(), r.clock.millis());
      if (automatic && !r.compactor.worthARun(target, r.snapshotVector)) {
        return r.snapshotVector;
      }
      purges = r.store.purges(); // before anything the fold reads
      base = r.store.snapshot();
    } finally {
      r.lock.unlock();
    }
    Snapshot next = Compactor.fold(r.store, base, target, r.compactor.batch());
    r.lock.lock();
    try {
      if (r.closed) {
        return VersionVector.empty();
      }
      if (next == null || !r.snapshotVector.equals(base.vector())) {
        return r.snapshotVector; // nothing stable, or a fetched snapshot came first
      }
      if (!r.store.saveSnapshotUnlessPurged(next, purges)) {
        r.compactor.refused(); // next holds payloads a purge replaced since: fold them again
        return r.snapshotVector;
      }
      r.recent.clear();
      r.snapshotVector = next.vector();
      r.transfer.snapshotChanged();
      r.compactor.folded(next, target);
      return next.vector();
    } finally {
      r.lock.unlock();
    }
  }
}
