package io.tandem.storage.h2;

import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.spi.StoreException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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
 *
 * <p>A caller that does not wait ({@link #whenDurable}) gets a future instead: if nobody leads,
 * a committer thread does, and a completer thread completes the futures, in queue order, with
 * no lock held (so what runs on completion may take its own locks, and even queue more, without
 * stalling the commits). Both threads are started on demand and end after a second idle.
 */
final class GroupCommit {

  /** One caller's records, and what became of them. */
  static final class Request {
    final List<DeltaRecord> records;
    private RuntimeException failure;
    private boolean done;
    private boolean queued = true;
    /** Non-null once a caller asked for a future instead of waiting. */
    private CompletableFuture<Void> future;

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
  /** When the last group was taken ({@link System#nanoTime}), if {@link #taken}. */
  private long lastTaken;
  private boolean taken;
  private final long spacingNanos;
  private Supplier<RuntimeException> closed;
  /** Queued requests whose callers do not wait: nobody may lead for them. */
  private int asyncQueued;
  /** Whether a committer task is submitted and has not started leading yet. */
  private boolean kicked;
  private final ExecutorService committerThread = daemon("tandem-h2-commit");
  private final ExecutorService completerThread = daemon("tandem-h2-complete");

  /**
   * @param committer commits a group as one transaction, calling {@link Request#fail} on the
   *     requests it refuses or cannot make durable; a throw fails every request of the group
   */
  GroupCommit(Consumer<List<Request>> committer, int maxQueued, int maxGroupRecords) {
    this(committer, maxQueued, maxGroupRecords, 0);
  }

  /**
   * @param spacingMicros the least time between the starts of two groups: a leader that comes
   *     sooner waits for the rest, gathering what arrives meanwhile (0: never waits)
   */
  GroupCommit(Consumer<List<Request>> committer, int maxQueued, int maxGroupRecords,
      long spacingMicros) {
    this.committer = committer;
    this.maxQueued = maxQueued;
    this.maxGroupRecords = maxGroupRecords;
    this.spacingNanos = spacingMicros * 1000;
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

  /**
   * Whether {@code mine} is committed, without waiting: true from the moment its group's commit
   * succeeded, before its future (and those of the rest of its group) completes.
   */
  boolean durable(Request mine) {
    lock.lock();
    try {
      return mine.done && mine.failure == null;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Completes once {@code mine} is committed, or with what the committer failed it with, on the
   * completer thread (or at once, on this thread, if it is done already). Nobody need wait: a
   * committer thread leads if no caller does.
   */
  CompletionStage<Void> whenDurable(Request mine) {
    CompletableFuture<Void> f;
    boolean doneAlready;
    lock.lock();
    try {
      if (mine.future == null) {
        mine.future = new CompletableFuture<>();
        if (mine.queued) {
          asyncQueued++;
        }
      }
      f = mine.future;
      doneAlready = mine.done;
      if (!doneAlready) {
        kick();
      }
    } finally {
      lock.unlock();
    }
    if (doneAlready) {
      complete(List.of(mine));
    }
    return f;
  }

  /** Under the lock: if requests wait that nobody leads for, the committer thread leads. */
  private void kick() {
    if (!leading && !kicked && asyncQueued > 0) {
      kicked = true;
      committerThread.execute(this::leadForFutures);
    }
  }

  /** The committer thread's task: leads until the queue is empty, unless a caller leads. */
  private void leadForFutures() {
    lock.lock();
    try {
      kicked = false;
      if (leading || queue.isEmpty()) {
        return; // the leader kicks again when it hands over
      }
      leading = true;
    } finally {
      lock.unlock();
    }
    lead(null);
  }

  /**
   * Commits groups until {@code mine} is done (or, for null, until the queue is empty), then
   * hands over to a waiting caller, or to the committer thread if only futures wait.
   */
  private void lead(Request mine) {
    while (true) {
      if (mine == null) {
        gather(); // a caller leading for itself does not gather: one writer, it waits anyway
      }
      List<Request> group = take();
      Throwable thrown = null;
      try {
        if (!group.isEmpty()) {
          committer.accept(group);
        }
      } catch (Throwable t) { // whatever happens, every request of the group gets an answer
        thrown = t;
      }
      List<Request> futures = new ArrayList<>();
      boolean handOver;
      lock.lock();
      try {
        for (Request r : group) {
          if (thrown != null) {
            r.fail(thrown instanceof RuntimeException re ? re
                : new StoreException("commit failed: " + thrown, thrown));
          }
          r.done = true;
          if (r.future != null) {
            futures.add(r);
          }
        }
        changed.signalAll();
        handOver = mine == null ? queue.isEmpty() : mine.done;
        if (handOver) {
          leading = false;
          kick();
        }
      } finally {
        lock.unlock();
      }
      if (!futures.isEmpty()) {
        completerThread.execute(() -> complete(futures));
      }
      if (handOver) {
        return;
      }
    }
  }

  /** Completes the requests' futures, in order; no lock is held. */
  private static void complete(List<Request> requests) {
    for (Request r : requests) {
      if (r.failure != null) {
        r.future.completeExceptionally(r.failure);
      } else {
        r.future.complete(null);
      }
    }
  }

  private static ExecutorService daemon(String name) {
    ThreadPoolExecutor e = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), task -> {
          Thread t = new Thread(task, name);
          t.setDaemon(true);
          return t;
        });
    e.allowCoreThreadTimeOut(true);
    return e;
  }

  /**
   * Waits, leading for futures, until the spacing has passed since the last group was taken, so
   * that what arrives meanwhile joins this group. A commit slower than the spacing (a sync) never
   * waits, nor does a caller that leads for its own records (one writer: nothing would gather),
   * though such a caller may wait behind the committer thread while that gathers.
   */
  private void gather() {
    lock.lock();
    try {
      if (spacingNanos == 0 || !taken) {
        return;
      }
      long wait = lastTaken + spacingNanos - System.nanoTime();
      while (wait > 0 && closed == null) {
        wait = changed.awaitNanos(wait);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  /** The next group: queued requests in order, at least one, up to the record bound. */
  private List<Request> take() {
    lock.lock();
    try {
      lastTaken = System.nanoTime();
      taken = true;
      List<Request> group = new ArrayList<>();
      int records = 0;
      while (!queue.isEmpty()
          && (group.isEmpty() || records + queue.peek().records.size() <= maxGroupRecords)) {
        Request r = queue.poll();
        r.queued = false;
        if (r.future != null) {
          asyncQueued--;
        }
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
    List<Request> futures = new ArrayList<>();
    lock.lock();
    try {
      if (closed != null) {
        return;
      }
      closed = why;
      for (Request r : queue) {
        r.fail(why.get());
        r.done = true;
        r.queued = false;
        if (r.future != null) {
          futures.add(r);
        }
      }
      queue.clear();
      asyncQueued = 0;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (!futures.isEmpty()) {
      completerThread.execute(() -> complete(futures));
    }
  }
}
