package io.tandem.bench;

import io.tandem.crdt.ReplicaId;
import io.tandem.replication.Change;
import io.tandem.replication.ChangeListener;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * When each write of a run became visible on every device: a change listener on every replica
 * notes the arrival of each record (its {@code nanoTime}), and a write counts once the last
 * device has it. Writes are addressed by origin and sequence number, from each origin's first
 * sequence number of the run on, up to a fixed capacity; anything else is ignored.
 */
final class Arrivals {

  private final List<ReplicaId> origins;
  private final long[] firstSeq;
  private final int devices;
  private final AtomicLongArray scheduled;
  private final AtomicLongArray issued;
  private final AtomicLongArray last;
  private final AtomicIntegerArray seen;
  private final int capacity;

  /**
   * @param firstSeq per origin, the sequence number of its first write in this run
   * @param capacity the most writes recorded per origin
   */
  Arrivals(List<ReplicaId> origins, long[] firstSeq, int devices, int capacity) {
    this.origins = List.copyOf(origins);
    this.firstSeq = firstSeq.clone();
    this.devices = devices;
    this.capacity = capacity;
    int n = origins.size() * capacity;
    this.scheduled = new AtomicLongArray(n);
    this.issued = new AtomicLongArray(n);
    this.last = new AtomicLongArray(n);
    this.seen = new AtomicIntegerArray(n);
  }

  /** A listener for one device: notes the time each record became visible there. */
  ChangeListener listener() {
    return this::arrived;
  }

  private void arrived(Change c) {
    long now = System.nanoTime();
    int slot = slot(c.origin(), c.seq());
    if (slot >= 0) {
      last.accumulateAndGet(slot, now, Math::max);
      seen.incrementAndGet(slot);
    }
  }

  /** Notes when write {@code seq} of {@code origin} was due and when it was called. */
  void issued(ReplicaId origin, long seq, long due, long called) {
    int slot = slot(origin, seq);
    if (slot >= 0) {
      scheduled.set(slot, due);
      issued.set(slot, called);
    }
  }

  private int slot(ReplicaId origin, long seq) {
    int o = origins.indexOf(origin);
    if (o < 0) {
      return -1;
    }
    long i = seq - firstSeq[o];
    return i < 0 || i >= capacity ? -1 : (int) (o * (long) capacity + i);
  }

  /** Issued writes not yet visible on every device. */
  long pending() {
    long n = 0;
    for (int i = 0; i < seen.length(); i++) {
      if (issued.get(i) != 0 && seen.get(i) < devices) {
        n++;
      }
    }
    return n;
  }

  /**
   * Times in nanoseconds from each write's call (or, {@code fromDue}, its scheduled time) until
   * it was visible on every device, sorted, of the writes scheduled at or after {@code from}. A
   * write not yet on every device counts with the time until {@code now}, a lower bound.
   */
  long[] latencies(long from, boolean fromDue, long now) {
    long[] out = new long[seen.length()];
    int n = 0;
    for (int i = 0; i < seen.length(); i++) {
      long due = scheduled.get(i);
      if (issued.get(i) != 0 && due - from >= 0) {
        long end = seen.get(i) >= devices ? last.get(i) : now;
        out[n++] = end - (fromDue ? due : issued.get(i));
      }
    }
    out = Arrays.copyOf(out, n);
    Arrays.sort(out);
    return out;
  }

  /** The {@code q}-quantile (0..1) of sorted {@code values}, nearest rank. */
  static long quantile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Long.MAX_VALUE;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
