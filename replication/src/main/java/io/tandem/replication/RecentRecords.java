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
 * records a feed and {@code total} records in all; past the total, the older half of the
 * longest run goes (a peer that lags reads the oldest records first, and from the store).
 */
final class RecentRecords {

  private final int perFeed;
  private final int total;
  private final Map<ReplicaId, Run> runs = new HashMap<>();
  private int size;

  /** One feed's run: records in a ring, oldest at {@code head}, grown as the run grows. */
  private static final class Run {
    DeltaRecord[] ring = new DeltaRecord[16];
    int head;
    int count;

    /** Makes room for one more record, doubling the ring up to {@code max}. */
    void room(int max) {
      if (count < ring.length || ring.length >= max) {
        return;
      }
      DeltaRecord[] bigger = new DeltaRecord[Math.min(max, ring.length * 2)];
      for (int i = 0; i < count; i++) {
        bigger[i] = at(i);
      }
      ring = bigger;
      head = 0;
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
      run = new Run();
      runs.put(r.origin(), run);
    } else if (run.count > 0 && run.last() + 1 != r.seq()) {
      size -= run.count;
      run.ring = new DeltaRecord[16];
      run.head = 0;
      run.count = 0;
    }
    if (run.count == perFeed) {
      run.ring[run.head] = null;
      run.head = (run.head + 1) % run.ring.length;
      run.count--;
      size--;
    }
    run.room(perFeed);
    run.ring[(run.head + run.count) % run.ring.length] = r;
    run.count++;
    size++;
    if (size > total) {
      Run longest = run;
      for (Run x : runs.values()) {
        if (x.count > longest.count) {
          longest = x;
        }
      }
      int drop = Math.max(1, longest.count / 2);
      for (int i = 0; i < drop; i++) {
        longest.ring[longest.head] = null;
        longest.head = (longest.head + 1) % longest.ring.length;
      }
      longest.count -= drop;
      size -= drop;
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
