package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.ReplicaId;
import io.tandem.replication.memory.InMemoryReplicaStore;
import io.tandem.replication.spi.ForwardingReplicaStore;
import io.tandem.replication.spi.StoreException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A replica whose store went back in time (restored from an old backup) finds its id reused from
 * the records its peers hold of its feed, moves to a new id, and keeps syncing (FAULTS.md,
 * "Identity, wipe and recovery"; harmony#79). On the simulator, in virtual time.
 */
class IdentityTest {

  private static final ReplicaId PHONE = ReplicaId.of(0x1000L);

  @Test
  void replicaRestoredFromAnOldBackupMovesToANewIdAndGetsBackTheWritesItLost() {
    for (SyncMode mode : SyncMode.values()) {
      SimCluster c = new SimCluster(11, 3, mode);
      write(c, 0, "before", 3);
      c.settle(60_000);
      InMemoryReplicaStore backup = ((InMemoryReplicaStore) c.store(0)).copy();
      write(c, 0, "after", 3);
      c.settle(60_000);
      assertThat(c.replica(1).vector().get(PHONE)).isEqualTo(6);

      Replica phone = c.swapStore(0, backup);
      List<ReplicaId[]> moves = new ArrayList<>();
      phone.addListener(new ChangeListener() {
        @Override
        public void changed(Change change) {}

        @Override
        public void moved(ReplicaId retired, ReplicaId current) {
          moves.add(new ReplicaId[] {retired, current});
        }
      });
      assertThat(phone.id()).isEqualTo(PHONE);
      assertThat(phone.vector().get(PHONE)).isEqualTo(3);
      c.settle(60_000);

      assertThat(phone.id()).as(mode.name()).isNotEqualTo(PHONE);
      assertThat(phone.retiredIds()).containsExactly(PHONE);
      assertThat(moves).hasSize(1);
      assertThat(moves.get(0)).containsExactly(PHONE, phone.id());
      assertThat(phone.vector().get(PHONE)).as("the writes made before the loss, back")
          .isEqualTo(6);
      assertThat(Notes.get(phone, "notes", "after2")).isEqualTo("v2");
      Notes.put(phone, "notes", "restored", "yes");
      c.settle(60_000);
      for (int i = 0; i < 3; i++) {
        assertThat(Notes.get(c.replica(i), "notes", "restored")).isEqualTo("yes");
        assertThat(c.replica(i).vector().get(PHONE)).as("no dot of the old id issued twice")
            .isEqualTo(6);
        assertThat(c.replica(i).metrics().sessionsClosed()).isZero();
      }
      c.assertConverged();
      c.checker.assertNoViolation();
    }
  }

  /**
   * The store fails the move (as a crash before its commit would): the replica stays on its id,
   * which the store does not retire, and refuses the records; the next session shows them
   * again and the move completes. Once moved, a restart keeps the new id: nothing is ever
   * written under the old one again.
   */
  @Test
  void moveTheStoreFailsIsTakenAgainLaterAndSurvivesARestart() {
    SimCluster c = new SimCluster(17, 2, SyncMode.BATCH);
    write(c, 0, "before", 2);
    c.settle(60_000);
    InMemoryReplicaStore backup = ((InMemoryReplicaStore) c.store(0)).copy();
    write(c, 0, "after", 2);
    c.settle(60_000);
    int[] failures = {1};
    Replica phone = c.swapStore(0, new ForwardingReplicaStore(backup) {
      @Override
      public void retire(ReplicaId current, ReplicaId next) {
        if (failures[0]-- > 0) {
          throw new StoreException("the disk went away");
        }
        super.retire(current, next);
      }
    });

    c.net.runFor(100);
    assertThat(failures[0]).as("the move was tried").isLessThan(1);
    assertThat(backup.replicaId()).contains(PHONE);
    assertThat(backup.retiredIds()).isEmpty();

    c.settle(60_000);
    assertThat(phone.id()).isNotEqualTo(PHONE);
    assertThat(phone.identity.moves()).isEqualTo(1);
    ReplicaId moved = phone.id();
    assertThat(backup.replicaId()).contains(moved);

    phone.close(); // a restart, on the same data without the failing wrapper
    Replica again = c.swapStore(0, backup.reopen());
    assertThat(again.id()).isEqualTo(moved);
    assertThat(again.retiredIds()).containsExactly(PHONE);
    Write w = Notes.put(again, "notes", "after restart", "yes");
    assertThat(w.dot().replica()).isEqualTo(moved);
    c.settle(60_000);
    assertThat(c.replica(1).vector().get(PHONE)).isEqualTo(4);
    assertThat(Notes.get(c.replica(1), "notes", "after restart")).isEqualTo("yes");
  }

  /**
   * A store copied to a second device: both copies write under the same next number while the
   * copy is away, the original once more. When the copy is back, the third replica, holding more
   * of the feed than the copy states, sends it the feed from the copy's last number on; the copy
   * sees another record than its own under that number, its id reused, and moves, and every
   * write from then on reaches everyone. The copy's write under the reused dot stays on the copy
   * only, and the original's on the others (a replica keeps one record per dot, and a payload
   * cannot go again under a new dot: its CRDT's own dots would clash): docs/PROTOCOL.md.
   */
  @Test
  void copiedStoreMovesToANewIdOnceBothCopiesWroteAndLaterWritesAllArrive() {
    for (SyncMode mode : SyncMode.values()) {
      SimCluster c = forked(13, mode);

      c.settle(60_000);

      Replica copy = c.replica(1);
      assertThat(copy.id()).as(mode.name()).isNotEqualTo(PHONE);
      assertThat(copy.retiredIds()).containsExactly(PHONE);
      assertThat(c.replica(0).id()).isEqualTo(PHONE);
      Notes.put(c.replica(0), "notes", "later0", "v0");
      Notes.put(c.replica(1), "notes", "later1", "v1");
      c.settle(60_000);
      for (int i = 0; i < 3; i++) {
        assertThat(Notes.get(c.replica(i), "notes", "later0")).as("r%d", i).isEqualTo("v0");
        assertThat(Notes.get(c.replica(i), "notes", "later1")).as("r%d", i).isEqualTo("v1");
        assertThat(c.replica(i).metrics().sessionsClosed()).isZero();
      }
      assertThat(Notes.get(c.replica(2), "notes", "fork1")).as("the copy's write under the"
          + " reused dot, known lost to the others").isNull();
      assertThat(Notes.get(c.replica(1), "notes", "fork0b")).isEqualTo("a");
      assertThat(c.vectors()).as("the vectors agree").containsOnly(c.replica(0).vector());
    }
  }

  /**
   * The negative control: with the copy's guard off it keeps writing under the reused id, and a
   * write it makes after the fork is lost silently: the third replica holds a record under that
   * dot, the original's, and drops the copy's unread as a duplicate (FAULTS.md: "forced dot
   * reuse shows a lost write").
   */
  @Test
  void withoutTheMoveACopysLaterWritesAreLostSilently() {
    for (SyncMode mode : SyncMode.values()) {
      SimCluster c = forked(13, mode);
      c.replica(1).identity.guard = false;

      Write later = Notes.put(c.replica(1), "notes", "later1", "v1");
      c.net.runFor(60_000);

      assertThat(c.replica(1).id()).isEqualTo(PHONE);
      assertThat(later.dot().replica()).isEqualTo(PHONE);
      assertThat(c.replica(2).vector().get(PHONE)).as(mode.name() + ": the dot is held")
          .isGreaterThanOrEqualTo(later.dot().counter());
      assertThat(Notes.get(c.replica(2), "notes", "later1")).as("but not the write").isNull();
      assertThat(Notes.get(c.replica(1), "notes", "later1")).isEqualTo("v1");
    }
  }

  /**
   * Three replicas; replica 1's store replaced by a copy of replica 0's (PHONE), which meets
   * replica 0 only through replica 2; while the copy is away both write under PHONE's next
   * number, and replica 0 once more.
   */
  private static SimCluster forked(long seed, SyncMode mode) {
    SimCluster c = new SimCluster(seed, 3, mode);
    write(c, 0, "before", 3);
    c.settle(60_000);
    c.net.cut("r0", "r1");
    c.swapStore(1, ((InMemoryReplicaStore) c.store(0)).copy());
    c.net.setOnline("r1", false);
    Notes.put(c.replica(0), "notes", "fork0", "a");
    c.net.runFor(50);
    Notes.put(c.replica(1), "notes", "fork1", "b");
    c.net.runFor(50);
    Notes.put(c.replica(0), "notes", "fork0b", "a");
    c.net.runFor(10_000);
    assertThat(c.replica(2).vector().get(PHONE)).isEqualTo(5);
    c.net.setOnline("r1", true);
    return c;
  }

  private static void write(SimCluster c, int i, String prefix, int n) {
    for (int k = 0; k < n; k++) {
      Notes.put(c.replica(i), "notes", prefix + k, "v" + k);
      c.net.runFor(50);
    }
  }
}
