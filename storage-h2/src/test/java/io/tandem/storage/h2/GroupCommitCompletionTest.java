package io.tandem.storage.h2;

import static io.tandem.storage.h2.Fixtures.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.ReplicaId;
import io.tandem.replication.spi.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Who completes the futures of appends nobody waits for: the committer thread itself when it has
 * nothing more to commit (one hand-off between threads less per commit), the completer thread
 * while commits go on; either way in queue order, failed ones included.
 */
class GroupCommitCompletionTest {

  private static final ReplicaId FEED = ReplicaId.of(0x51);

  @Test
  void aLoneAppendIsCompletedByTheThreadThatCommittedIt() throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> committedOn = new ArrayList<>();
    GroupCommit commits = new GroupCommit(group -> {
      committedOn.add(Thread.currentThread());
      await(go);
    }, 100, 100);
    CompletableFuture<Thread> completedOn = new CompletableFuture<>();

    GroupCommit.Request r = commits.enqueue(List.of(record(FEED, 1)));
    commits.whenDurable(r).whenComplete((v, t) -> completedOn.complete(Thread.currentThread()));
    go.countDown();

    assertThat(completedOn.get(20, TimeUnit.SECONDS)).isSameAs(committedOn.get(0));
    assertThat(completedOn.get().getName()).isEqualTo("tandem-h2-commit");
    commits.close(() -> new StoreException("closed"));
  }

  @Test
  void futuresCompleteInQueueOrderWhileCallersLeadCommitsToo() throws Exception {
    // Callers that wait lead commits of their own, whose groups hold futures of others: those
    // go to the completer thread while the committer thread may be completing earlier ones.
    GroupCommit commits = new GroupCommit(group -> {
      for (GroupCommit.Request r : group) {
        if (r.records.get(0).seq() % 7 == 0) {
          r.fail(new StoreException("refused " + r.records.get(0).seq()));
        }
      }
    }, 64, 16);
    List<Long> completed = new ArrayList<>();
    List<CompletableFuture<Void>> all = new ArrayList<>();
    Thread waiter = new Thread(() -> {
      for (long seq = 1; seq <= 500; seq++) {
        try {
          commits.submit(List.of(record(ReplicaId.of(0x52), seq)));
        } catch (StoreException refused) {
          // every seventh is refused; the rest goes on
        }
      }
    });
    waiter.start();
    for (long seq = 1; seq <= 2_000; seq++) {
      long s = seq;
      GroupCommit.Request r = commits.enqueue(List.of(record(FEED, seq)));
      all.add(commits.whenDurable(r).toCompletableFuture().handle((v, t) -> {
        synchronized (completed) {
          completed.add(s);
        }
        return null;
      }));
    }
    CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
    waiter.join(60_000);

    assertThat(completed).hasSize(2_000).isSorted();
    commits.close(() -> new StoreException("closed"));
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(20, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
