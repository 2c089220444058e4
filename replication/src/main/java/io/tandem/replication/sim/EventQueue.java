package io.tandem.replication.sim;

import io.tandem.replication.spi.Scheduler;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * The simulator's agenda: tasks ordered by virtual time, and among equal times by the order they
 * were added. That second key is what makes a run reproducible: two events at the same
 * millisecond always run in the order the (deterministic) code scheduled them.
 *
 * <p>Cancelled events stay in the heap until they reach its head and are then discarded, which
 * keeps cancellation O(1) at the cost of some memory for timers that are reset often.
 */
final class EventQueue {

  static final class Event implements Scheduler.Cancellable {
    final long time;
    final long seq;
    final Runnable task;
    private boolean cancelled;

    Event(long time, long seq, Runnable task) {
      this.time = time;
      this.seq = seq;
      this.task = task;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }

    boolean cancelled() {
      return cancelled;
    }
  }

  private static final Comparator<Event> ORDER =
      Comparator.<Event>comparingLong(e -> e.time).thenComparingLong(e -> e.seq);

  private final PriorityQueue<Event> heap = new PriorityQueue<>(ORDER);
  private long nextSeq;

  Event add(long time, Runnable task) {
    Event e = new Event(time, nextSeq++, task);
    heap.add(e);
    return e;
  }

  /** The time of the next live event, or {@link Long#MAX_VALUE} when there is none. */
  long nextTime() {
    discardCancelled();
    Event head = heap.peek();
    return head == null ? Long.MAX_VALUE : head.time;
  }

  /** Removes and returns the next live event, or null when there is none. */
  Event poll() {
    discardCancelled();
    return heap.poll();
  }

  private void discardCancelled() {
    while (!heap.isEmpty() && heap.peek().cancelled()) {
      heap.poll();
    }
  }
}
