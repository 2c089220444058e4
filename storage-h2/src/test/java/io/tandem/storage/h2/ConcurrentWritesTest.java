package io.tandem.storage.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.crdt.GCounter;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import io.tandem.replication.Change;
import io.tandem.replication.Replica;
import io.tandem.replication.Write;
import io.tandem.replication.spi.PendingAppend;
import io.tandem.replication.spi.StoreException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many threads writing to one replica on an H2 file: each write returns durable and visible,
 * with its own dot, in a gap-free feed. Whether they share group commits is the scheduler's to
 * decide (a loaded machine ran all 400 in groups of their own); {@code GroupSpacingTest} shows
 * sharing deterministically.
 */
class ConcurrentWritesTest {

  private static final ReplicaId PHONE = ReplicaId.of(0xf00e);
  private static final int THREADS = 8;
  private static final int WRITES = 50;

  @TempDir
  Path tmp;

  @Test
  void everyWriteOfConcurrentWritersReturnsDurableOnceWithItsOwnDot() throws Exception {
    Path dir = tmp.resolve("phone");
    List<Long> dots = Collections.synchronizedList(new ArrayList<>());
    List<Change> heard = Collections.synchronizedList(new ArrayList<>());
    try (H2ReplicaStore store = H2ReplicaStore.open(dir);
        Replica phone = Replica.builder().id(PHONE).store(store).build()) {
      phone.addListener(heard::add);
      List<String> failures = runWriters(phone, THREADS * WRITES, dots);
      assertThat(failures).isEmpty();
      int n = THREADS * WRITES;
      assertThat(phone.vector().get(PHONE)).isEqualTo(n);
      assertThat(written(phone)).isEqualTo(n);
    }
    int n = THREADS * WRITES;
    assertThat(dots).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, n).boxed().toList());
    // Once per write, in sequence order: listeners hear one consistent order.
    assertThat(heard).extracting(Change::seq)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, n).boxed().toList());
    try (Replica again = Replica.builder().store(H2ReplicaStore.open(dir)).build()) {
      assertThat(again.vector().get(PHONE)).isEqualTo(n);
      assertThat(written(again)).isEqualTo(n);
    }
  }

  @Test
  void aFailedAppendFailsTheLaterWritesAndLeavesNoGapNorReissuedDot() throws Exception {
    Path dir = tmp.resolve("phone");
    int failing = 50;
    List<Long> dots = Collections.synchronizedList(new ArrayList<>());
    List<Change> heard = Collections.synchronizedList(new ArrayList<>());
    try (FailingStore store = new FailingStore(H2ReplicaStore.open(dir), failing);
        Replica phone = Replica.builder().id(PHONE).store(store).build()) {
      phone.addListener(heard::add);
      List<String> failures = runWriters(phone, 4 * failing, dots);
      assertThat(failures).isNotEmpty();
      assertThat(phone.vector().get(PHONE)).isEqualTo(failing - 1);
      assertThatThrownBy(() -> phone.update("likes", GCounter.empty(),
          (c, w) -> c.increment(w.replica(), 1)))
          .isInstanceOf(StoreException.class).hasMessageContaining("refuses writes");
    }
    List<Long> kept = LongStream.range(1, failing).boxed().toList();
    assertThat(dots).containsExactlyInAnyOrderElementsOf(kept);
    assertThat(heard).extracting(Change::seq).containsExactlyElementsOf(kept);
    try (Replica again = Replica.builder().store(H2ReplicaStore.open(dir)).build()) {
      assertThat(again.vector().get(PHONE)).isEqualTo(failing - 1);
      assertThat(written(again)).isEqualTo(failing - 1);
      // Dot 50 was never seen by anyone, so giving it to the next write reissues nothing.
      Write next = again.update("likes", GCounter.empty(), (c, w) -> c.increment(w.replica(), 1));
      assertThat(next.dot().counter()).isEqualTo(failing);
    }
  }

  /** Increments counted plus elements added: no write lost, none applied twice. */
  private static long written(Replica replica) {
    return replica.get("likes", GCounter.empty()).value()
        + replica.get("tags", OrSet.<Long>empty()).size();
  }

  /** {@code total} writes from {@link #THREADS} threads; each thread stops at its first failure. */
  private static List<String> runWriters(Replica replica, int total, List<Long> dots)
      throws Exception {
    AtomicInteger left = new AtomicInteger(total);
    AtomicInteger element = new AtomicInteger();
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        done.add(pool.submit(() -> {
          while (left.getAndDecrement() > 0) {
            try {
              // Odd writes count, even ones add to a set: two objects are queued at once.
              long e = element.incrementAndGet();
              Write w = e % 2 == 1
                  ? replica.update("likes", GCounter.empty(), (c, x) -> c.increment(x.replica(), 1))
                  : replica.update("tags", OrSet.<Long>empty(), (s, x) -> s.add(x.replica(), e));
              dots.add(w.dot().counter());
            } catch (StoreException | IllegalArgumentException ex) {
              failures.add(ex.getMessage());
              return;
            }
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    return failures;
  }
}
