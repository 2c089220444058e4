package io.tandem.storage.h2;

import static io.tandem.storage.h2.Fixtures.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.crdt.ReplicaId;
import io.tandem.replication.spi.StoreException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrent appenders share commits, and sharing changes nothing of the contract: every record
 * lands, each feed in order and gap-free, and a refused call takes no one else down.
 */
class GroupCommitTest {

  private static final int THREADS = 8;

  @TempDir
  Path tmp;
  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

  @AfterEach
  void stop() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void eightThreadsOnFeedsOfTheirOwnEndWithEveryRecordInOrder() throws Exception {
    int calls = 300;
    Path dir = tmp.resolve("store");
    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      run(THREADS, t -> {
        ReplicaId feed = ReplicaId.of(0x100 + t);
        long seq = 1;
        for (int i = 0; i < calls; i++) {
          int n = 1 + i % 3; // calls of one to three records
          store.append(Fixtures.feed(feed, seq, seq + n - 1));
          seq += n;
        }
        return seq - 1;
      });
      // Whether calls share a group here is up to the scheduler: a journal write takes a few
      // microseconds, and a run saw all 2,400 calls lead their own. GroupSpacingTest shows
      // sharing without depending on it.
    }
    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      for (int t = 0; t < THREADS; t++) {
        ReplicaId feed = ReplicaId.of(0x100 + t);
        long last = store.vector().get(feed);
        assertThat(last).isEqualTo(calls / 3 * 6L);
        assertThat(store.readFeed(feed, 1, (int) last)).isEqualTo(Fixtures.feed(feed, 1, last));
      }
    }
  }

  @Test
  void eightThreadsSharingOneFeedKeepItsOrderAndShareRows() throws Exception {
    int perThread = 400;
    Path dir = tmp.resolve("store");
    Object sequence = new Object();
    long[] next = {1};
    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      run(THREADS, t -> {
        for (int i = 0; i < perThread; i++) {
          GroupCommit.Request queued;
          // The seq is taken and the append queued in one step, so the queue holds the feed
          // in order; the commit is awaited outside, with the other threads'.
          synchronized (sequence) {
            queued = store.enqueueAppend(List.of(record(Fixtures.X, next[0]++)));
          }
          store.awaitAppend(queued);
        }
        return 0L;
      });
    }
    long total = THREADS * perThread;
    assertThat(Fixtures.count(dir, "SELECT COUNT(*) FROM feeds"))
        .as("rows: one per group, not one per record").isLessThan(total);
    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      assertThat(store.vector().get(Fixtures.X)).isEqualTo(total);
      assertThat(store.readFeed(Fixtures.X, 1, (int) total))
          .isEqualTo(Fixtures.feed(Fixtures.X, 1, total));
    }
  }

  @Test
  void refusedCallsInAGroupTakeNoOneElseDown() throws Exception {
    int calls = 200;
    AtomicInteger refused = new AtomicInteger();
    try (H2ReplicaStore store = H2ReplicaStore.open(tmp.resolve("store"))) {
      run(THREADS, t -> {
        ReplicaId feed = ReplicaId.of(0x200 + t);
        for (long seq = 1; seq <= calls; seq++) {
          store.append(List.of(record(feed, seq)));
          // Every other call also sends a gap, which must fail alone.
          if (seq % 2 == 0) {
            long gap = seq + 2;
            assertThatThrownBy(() -> store.append(List.of(record(feed, gap))))
                .isInstanceOf(IllegalArgumentException.class);
            refused.incrementAndGet();
          }
        }
        return 0L;
      });
      assertThat(refused).hasValue(THREADS * calls / 2);
      for (int t = 0; t < THREADS; t++) {
        ReplicaId feed = ReplicaId.of(0x200 + t);
        assertThat(store.readFeed(feed, 1, calls + 10)).isEqualTo(Fixtures.feed(feed, 1, calls));
      }
    }
  }

  @Test
  void closeFailsTheAppendsItCutsOffAndKeepsAPrefixOfEachFeed() throws Exception {
    Path dir = tmp.resolve("store");
    H2ReplicaStore store = H2ReplicaStore.open(dir);
    CyclicBarrier started = new CyclicBarrier(THREADS + 1);
    List<Future<Long>> acked = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      ReplicaId feed = ReplicaId.of(0x300 + t);
      acked.add(pool.submit(() -> {
        started.await();
        long seq = 0;
        try {
          while (true) {
            store.append(List.of(record(feed, seq + 1)));
            seq++;
          }
        } catch (StoreException closed) {
          return seq; // the last acknowledged
        }
      }));
    }
    started.await();
    while (store.groupCommits() < 50) {
      Thread.onSpinWait();
    }
    store.close();

    try (H2ReplicaStore again = H2ReplicaStore.open(dir)) {
      for (int t = 0; t < THREADS; t++) {
        ReplicaId feed = ReplicaId.of(0x300 + t);
        long ackedSeq = acked.get(t).get(30, TimeUnit.SECONDS);
        long held = again.vector().get(feed);
        assertThat(held).as("feed %s holds every acknowledged append", feed)
            .isGreaterThanOrEqualTo(ackedSeq);
        assertThat(again.readFeed(feed, 1, (int) held + 1))
            .isEqualTo(Fixtures.feed(feed, 1, held));
      }
    }
  }

  @Test
  void oneCallLargerThanARowIsSplitIntoBoundedRows() throws Exception {
    Path dir = tmp.resolve("store");
    int n = FeedTable.MAX_ROW_RECORDS * 2 + 10;
    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      store.append(Fixtures.feed(Fixtures.Y, 1, n));
      assertThat(store.readFeed(Fixtures.Y, 4000, 300)).isEqualTo(Fixtures.feed(Fixtures.Y,
          4000, 4299));
    }
    assertThat(Fixtures.count(dir, "SELECT COUNT(*) FROM feeds")).isEqualTo(3);
  }

  @Test
  void appendsQueuedTogetherSayTheyAreDurableOnceTheirGroupCommitted() throws Exception {
    try (H2ReplicaStore store = H2ReplicaStore.open(tmp.resolve("store"))) {
      List<io.tandem.replication.spi.PendingAppend> queued = new ArrayList<>();
      for (long seq = 1; seq <= 3; seq++) {
        queued.add(store.appendQueued(List.of(record(Fixtures.Y, seq))));
      }
      io.tandem.replication.spi.PendingAppend gap =
          store.appendQueued(List.of(record(Fixtures.Y, 9)));
      assertThat(queued).as("queued, nobody committed them yet")
          .noneMatch(io.tandem.replication.spi.PendingAppend::durable);

      queued.get(0).await(); // leads one commit of everything queued
      assertThat(queued).as("committed in one group with the first")
          .allMatch(io.tandem.replication.spi.PendingAppend::durable);
      assertThat(gap.durable()).as("refused in that group: not durable").isFalse();
      assertThatThrownBy(gap::await).isInstanceOf(IllegalArgumentException.class);
      assertThat(store.groupCommits()).isEqualTo(1);
    }
  }

  /** Runs {@code body(t)} on {@code threads} threads at once and waits for all of them. */
  private void run(int threads, ThreadBody body) throws Exception {
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Future<Long>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Callable<Long> c = () -> {
        start.await();
        return body.run(id);
      };
      done.add(pool.submit(c));
    }
    for (Future<Long> f : done) {
      f.get(120, TimeUnit.SECONDS);
    }
  }

  @FunctionalInterface
  private interface ThreadBody {
    long run(int thread) throws Exception;
  }
}
