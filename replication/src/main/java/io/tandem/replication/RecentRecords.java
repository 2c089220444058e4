package io.tandem.replication;

import io.tandem.crdt.ReplicaId;
import io.tandem.replication.log.DeltaRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The newest stored records of each feed, kept in memory so that sessions send what was just
 * written or received without reading it back from the store: a read waits for the store's
 * lock, which a commit holds, and sessions read while the replica's lock is held.
 *
 * <p>Law: for each feed it holds one gap-free run of records that ends with the newest record
 * added; {@link #read} returns a prefix of the run starting at the sequence number asked, or
 * null when the run does not hold it (the caller reads the store). At most {@code perFeed}
 * records a feed and {@code total} records in all; past the total everything is dropped.
 */
final class RecentRecords {

  private final int perFeed;
  private final int total;
  private final Map<ReplicaId, Run> runs = new HashMap<>();
  private int size;

  /** One feed's run: records in a ring, oldest at {@code head}. */
  private static final class Run {
    final DeltaRecord[] ring;
    int head;
    int count;

    Run(int capacity) {
      ring = new DeltaRecord[capacity];
    }

    long first() {
      return ring[head].seq();
    }

    long last() {
      return ring[(head + count - 1) % ring.length].seq();
    }

    DeltaRecord at(int i) {
      return ring[(head + i) % ring.length];
    }
  }

  RecentRecords(int perFeed, int total) {
    if (perFeed < 1 || total < perFeed) {
      throw new IllegalArgumentException("perFeed " + perFeed + ", total " + total);
    }
    this.perFeed = perFeed;
    this.total = total;
  }

  /** Adds records just stored, in feed order; a record that does not continue its run restarts it. */
  void add(List<DeltaRecord> records) {
    for (DeltaRecord r : records) {
      add(r);
    }
  }

  void add(DeltaRecord r) {
    Run run = runs.get(r.origin());
    if (run == null) {
      run = new Run(perFeed);
      runs.put(r.origin(), run);
    } else if (run.count > 0 && run.last() + 1 != r.seq()) {
      size -= run.count;
      run.head = 0;
      run.count = 0;
    }
    if (run.count == perFeed) {
      run.head = (run.head + 1) % perFeed;
      run.count--;
      size--;
    }
    run.ring[(run.head + run.count) % perFeed] = r;
    run.count++;
    size++;
    if (size > total) {
      clear();
    }
  }

  /** Up to {@code max} records of {@code origin} from {@code fromSeq} on, or null if not held. */
  List<DeltaRecord> read(ReplicaId origin, long fromSeq, int max) {
    Run run = runs.get(origin);
    if (run == null || run.count == 0 || fromSeq < run.first() || fromSeq > run.last()) {
      return null;
    }
    int from = (int) (fromSeq - run.first());
    int n = Math.min(max, run.count - from);
    List<DeltaRecord> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(run.at(from + i));
    }
    return out;
  }

  /** Forgets everything: the log changed under the runs (a compaction, a snapshot installed). */
  void clear() {
    runs.clear();
    size = 0;
  }
}
