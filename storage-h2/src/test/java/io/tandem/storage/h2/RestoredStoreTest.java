package io.tandem.storage.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.crdt.GCounter;
import io.tandem.crdt.ReplicaId;
import io.tandem.replication.Change;
import io.tandem.replication.ChangeListener;
import io.tandem.replication.Replica;
import io.tandem.replication.Write;
import io.tandem.replication.memory.InMemoryNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A phone's H2 store restored from an old backup, for real: the store's files copied aside on
 * disk, the phone writing on, then the copy put back. The phone finds its id reused from what
 * the PC holds of its feed, moves to a new id kept in the file, and gets back what it wrote
 * after the backup (FAULTS.md, "Identity, wipe and recovery"; harmony#79).
 */
class RestoredStoreTest {

  private static final ReplicaId PHONE = ReplicaId.of(0xf00e);
  private static final ReplicaId PC = ReplicaId.of(0x0bc0);
  private static final long TIMEOUT_MILLIS = 30_000;

  @TempDir
  Path tmp;

  @Test
  void phoneRestoredFromABackupFileMovesToANewIdKeptInTheFileAndLosesNoWrite()
      throws Exception {
    Path phoneDir = tmp.resolve("phone");
    Path backup = tmp.resolve("backup");
    try (InMemoryNetwork net = InMemoryNetwork.create(); Replica pc = pc(net)) {
      try (Replica phone = open(net, phoneDir, "phone", PHONE)) {
        like(phone, 5).on(PC).get(30, TimeUnit.SECONDS);
      }
      copy(phoneDir, backup);
      try (Replica phone = open(net, phoneDir, "phone again", null)) {
        like(phone, 5).on(PC).get(30, TimeUnit.SECONDS);
      }
      assertThat(pc.vector().get(PHONE)).isEqualTo(10);

      delete(phoneDir);
      copy(backup, phoneDir);
      ReplicaId moved;
      try (Replica phone = open(net, phoneDir, "phone restored", null)) {
        Changes changes = Changes.of(phone);
        assertThat(phone.vector().get(PHONE)).isEqualTo(5);
        changes.await(() -> !phone.id().equals(PHONE) && phone.vector().get(PHONE) == 10);
        assertThat(phone.get("likes", GCounter.empty()).value()).isEqualTo(10);
        moved = phone.id();
        like(phone, 1).on(PC).get(30, TimeUnit.SECONDS);
        assertThat(pc.get("likes", GCounter.empty()).value()).isEqualTo(11);
        assertThat(pc.vector().get(PHONE)).as("no dot of the old id issued twice")
            .isEqualTo(10);
        assertThat(pc.metrics().sessionsClosed()).isZero();
      }

      try (H2ReplicaStore store = H2ReplicaStore.open(phoneDir)) {
        assertThat(store.replicaId()).contains(moved);
        assertThat(store.retiredIds()).containsExactly(PHONE);
        assertThatThrownBy(() -> Replica.builder().id(PHONE).store(store).build())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("retired");
      }
    }
  }

  /**
   * A phone's store file copied to a tablet, for real: both write under the phone's next number
   * while the tablet is away, the phone once more. Back, the tablet gets the phone's feed from
   * the PC, sees another record than its own under its last number, and moves; from then on
   * every write reaches everyone.
   */
  @Test
  void tabletOnACopiedStoreFileMovesToANewIdOnceBothWroteAndLaterWritesReachEveryone()
      throws Exception {
    Path phoneDir = tmp.resolve("phone");
    Path tabletDir = tmp.resolve("tablet");
    try (InMemoryNetwork net = InMemoryNetwork.create(); Replica pc = pc(net)) {
      try (Replica phone = open(net, phoneDir, "phone", PHONE)) {
        like(phone, 3).on(PC).get(30, TimeUnit.SECONDS);
      }
      copy(phoneDir, tabletDir);
      try (Replica phone = open(net, phoneDir, "phone again", null);
          Replica tablet = Replica.builder().store(H2ReplicaStore.open(tabletDir))
              .transport(net.endpoint("tablet")).build()) {
        assertThat(tablet.id()).isEqualTo(PHONE);
        Changes changes = Changes.of(tablet);
        like(tablet, 1); // offline: the tablet is connected to nobody yet
        like(phone, 2).on(PC).get(30, TimeUnit.SECONDS);
        net.connect("tablet", "pc");

        changes.await(() -> !tablet.id().equals(PHONE));
        assertThat(tablet.retiredIds()).containsExactly(PHONE);
        ReplicaId moved = tablet.id();
        like(tablet, 1).on(PC).get(30, TimeUnit.SECONDS);
        like(phone, 1).on(PC).get(30, TimeUnit.SECONDS);
        changes.await(() -> tablet.vector().get(PHONE) == 6);
        assertThat(pc.vector().get(moved)).isEqualTo(1);
        assertThat(pc.vector().get(PHONE)).isEqualTo(6);
        assertThat(pc.metrics().sessionsClosed()).isZero();
      }
      try (H2ReplicaStore store = H2ReplicaStore.open(tabletDir)) {
        assertThat(store.replicaId()).isPresent().isNotEqualTo(Optional.of(PHONE));
        assertThat(store.retiredIds()).containsExactly(PHONE);
      }
    }
  }

  private static Replica open(InMemoryNetwork net, Path dir, String endpoint, ReplicaId id) {
    var b = Replica.builder().store(H2ReplicaStore.open(dir)).transport(net.endpoint(endpoint));
    Replica r = (id == null ? b : b.id(id)).build();
    net.connect(endpoint, "pc");
    return r;
  }

  private static Write like(Replica r, int n) {
    Write last = null;
    for (int i = 0; i < n; i++) {
      last = r.update("likes", GCounter.empty(), (c, w) -> c.increment(w.replica(), 1));
    }
    return last;
  }

  private Replica pc(InMemoryNetwork net) {
    return Replica.builder().id(PC).store(H2ReplicaStore.open(tmp.resolve("pc")))
        .transport(net.endpoint("pc")).build();
  }

  /**
   * Wakes a waiting test whenever the replica tells its listeners something (a change, or a move
   * to a new id), so a condition on its state is checked again then, not on a timer.
   */
  private static final class Changes implements ChangeListener {

    static Changes of(Replica r) {
      Changes c = new Changes();
      r.addListener(c);
      return c;
    }

    @Override
    public synchronized void changed(Change change) {
      notifyAll();
    }

    @Override
    public synchronized void moved(ReplicaId retired, ReplicaId current) {
      notifyAll();
    }

    /** Waits until {@code condition} holds; fails after the timeout. */
    synchronized void await(BooleanSupplier condition) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
      while (!condition.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        assertThat(left).as("waited %d ms", TIMEOUT_MILLIS).isPositive();
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      files.forEach(p -> {
        try {
          Files.copy(p, to.resolve(from.relativize(p).toString()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
