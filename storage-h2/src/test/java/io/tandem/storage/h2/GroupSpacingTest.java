package io.tandem.storage.h2;

import static io.tandem.storage.h2.Fixtures.X;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tandem.replication.log.DeltaRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@link GroupCommit}'s spacing: a group led for futures within the spacing of the last one
 * waits for the rest of it and takes everything that arrived meanwhile; the first group, and a
 * caller waiting for its own records, never wait.
 */
class GroupSpacingTest {

  private final List<Integer> groups = new CopyOnWriteArrayList<>();

  private GroupCommit commits(long spacingMicros) {
    return new GroupCommit(g -> groups.add(g.size()), 1024, 64 * 1024, spacingMicros);
  }

  @Test
  void theFirstGroupCommitsAtOnceWhateverTheSpacing() {
    GroupCommit c = commits(3_600_000_000L); // an hour
    assertTimeoutPreemptively(Duration.ofSeconds(30),
        () -> c.whenDurable(c.enqueue(records(1))).toCompletableFuture().join());
    assertThat(groups).containsExactly(1);
    c.close(() -> new IllegalStateException("closed"));
  }

  /** One writer waiting for each append: nothing would join its group, so it never waits. */
  @Test
  void aCallerWaitingForItsOwnRecordsLeadsAtOnce() {
    GroupCommit c = commits(3_600_000_000L);
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      for (int i = 1; i <= 3; i++) {
        c.submit(records(i));
      }
    });
    assertThat(groups).containsExactly(1, 1, 1);
    c.close(() -> new IllegalStateException("closed"));
  }

  @Test
  void appendsArrivingWithinTheSpacingShareTheNextGroup() {
    GroupCommit c = commits(1_000_000); // a second: far longer than queuing twenty takes
    c.whenDurable(c.enqueue(records(1))).toCompletableFuture().join();
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    for (int i = 2; i <= 21; i++) {
      pending.add(c.whenDurable(c.enqueue(records(i))).toCompletableFuture());
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();

    assertThat(groups).as("one group, then the twenty that came within the spacing")
        .containsExactly(1, 20);
    c.close(() -> new IllegalStateException("closed"));
  }

  @Test
  void withoutSpacingAGroupGoesAsSoonAsTheLastIsDone() {
    GroupCommit c = commits(0);
    for (int i = 1; i <= 5; i++) {
      c.submit(records(i));
    }
    assertThat(groups).as("one caller at a time: a group each").containsExactly(1, 1, 1, 1, 1);
    c.close(() -> new IllegalStateException("closed"));
  }

  private static List<DeltaRecord> records(int seq) {
    return List.of(Fixtures.record(X, seq));
  }
}
