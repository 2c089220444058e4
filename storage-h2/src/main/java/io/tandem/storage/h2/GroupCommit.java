package io.tandem.storage.h2;

import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.spi.StoreException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Lets concurrent appenders share one commit (and one sync), leader/follower style: a caller
 * queues its records; if no commit is under way it leads, taking everything queued so far as one
 * group, committing it, and handing over once its own records are in; otherwise it waits for a
 * leader to commit its records. No extra thread, and a lone writer commits on its own thread
 * without a hand-off.
 *
 * <p>Groups are taken in queue order and committed one after another, each as one transaction,
 * so records become durable in the order the calls were queued and a crash keeps a prefix of
 * them. The queue is bounded: past {@code maxQueued} calls, callers wait for room.
 */
final class GroupCommit {

  /** One caller's records, and what became of them. */
  static final class Request {
    final List<DeltaRecord> records;
    private RuntimeException failure;
    private boolean done;

    Request(List<DeltaRecord> records) {
      this.records = records;
    }

    /** Refuses this request alone; the rest of the group goes on. */
    void fail(RuntimeException why) {
      if (failure == null) {
        failure = why;
      }
    }

    boolean failed() {
      return failure != null;
    }
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Request> queue = new ArrayDeque<>();
  private final Consumer<List<Request>> committer;
  private final int maxQueued;
  private final int maxGroupRecords;
  private boolean leading;
  private Supplier<RuntimeException> closed;

  /**
   * @param committer commits a group as one transaction, calling {@link Request#fail} on the
   *     requests it refuses or cannot make durable; a throw fails every request of the group
   */
  GroupCommit(Consumer<List<Request>> committer, int maxQueued, int maxGroupRecords) {
    this.committer = committer;
    this.maxQueued = maxQueued;
    this.maxGroupRecords = maxGroupRecords;
  }

  /** Returns once {@code records} are committed, or throws what the committer failed them with. */
  void submit(List<DeltaRecord> records) {
    await(enqueue(records));
  }

  /**
   * Queues {@code records} behind every call queued before, waiting for room if the queue is
   * full; {@link #await} then returns once they are committed. Callers that need concurrent
   * appends in a given order (one feed shared by several threads) queue under their own lock
   * and await outside it.
   */
  Request enqueue(List<DeltaRecord> records) {
    Request r = new Request(records);
    lock.lock();
    try {
      while (closed == null && queue.size() >= maxQueued) {
        changed.awaitUninterruptibly();
      }
      if (closed != null) {
        throw closed.get();
      }
      queue.add(r);
      return r;
    } finally {
      lock.unlock();
    }
  }

  /** Returns once {@code mine} is committed, leading a commit if none is under way. */
  void await(Request mine) {
    boolean lead;
    lock.lock();
    try {
      while (!mine.done && leading) {
        changed.awaitUninterruptibly();
      }
      lead = !mine.done;
      if (lead) {
        leading = true;
      }
    } finally {
      lock.unlock();
    }
    if (lead) {
      lead(mine);
    }
    if (mine.failure != null) {
      throw mine.failure;
    }
  }

  /** Commits groups until {@code mine} is done, then hands over to a waiting caller. */
  private void lead(Request mine) {
    while (true) {
      List<Request> group = take();
      Throwable thrown = null;
      try {
        if (!group.isEmpty()) {
          committer.accept(group);
        }
      } catch (Throwable t) { // whatever happens, every request of the group gets an answer
        thrown = t;
      }
      lock.lock();
      try {
        for (Request r : group) {
          if (thrown != null) {
            r.fail(thrown instanceof RuntimeException re ? re
                : new StoreException("commit failed: " + thrown, thrown));
          }
          r.done = true;
        }
        changed.signalAll();
        if (mine.done) {
          leading = false;
          return;
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /** The next group: queued requests in order, at least one, up to the record bound. */
  private List<Request> take() {
    lock.lock();
    try {
      List<Request> group = new ArrayList<>();
      int records = 0;
      while (!queue.isEmpty()
          && (group.isEmpty() || records + queue.peek().records.size() <= maxGroupRecords)) {
        Request r = queue.poll();
        records += r.records.size();
        group.add(r);
      }
      changed.signalAll(); // room in the queue
      return group;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Refuses new calls and fails the queued ones that no leader took yet, with {@code why}. A
   * group being committed completes first: the store closes its connection after this returns.
   */
  void close(Supplier<RuntimeException> why) {
    lock.lock();
    try {
      if (closed != null) {
        return;
      }
      closed = why;
      for (Request r : queue) {
        r.fail(why.get());
        r.done = true;
      }
      queue.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
