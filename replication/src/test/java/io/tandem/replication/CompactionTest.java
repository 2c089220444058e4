package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.GCounter;
import io.tandem.crdt.Hlc;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.crdt.codec.CodecException;
import io.tandem.replication.memory.InMemoryReplicaStore;
import io.tandem.replication.sim.SimulatedNetwork;
import io.tandem.replication.spi.ForwardingReplicaStore;
import io.tandem.replication.spi.ReplicaStore;
import io.tandem.replication.spi.Snapshot;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Compaction folds what every peer holds into the snapshot and drops it from the log: the log
 * stays bounded while peers acknowledge, a silent peer holds it back only until the forget-after
 * time, and a restart after compaction neither reissues a dot nor moves the clock back.
 */
class CompactionTest {

  private static final long FORGET_AFTER = 60_000;

  private static SimCluster cluster(long seed, int n) {
    return new SimCluster(seed, n, SyncMode.BATCH, new long[n],
        c -> c.withCompaction(256, FORGET_AFTER));
  }

  @Test
  void logStaysBoundedWhilePeersAcknowledge() {
    SimCluster c = cluster(11, 3);
    SplittableRandom random = new SplittableRandom(11);
    long maxLog = 0;
    for (int round = 0; round < 20; round++) {
      for (int i = 0; i < 100; i++) {
        Workload.write(c.replica(random.nextInt(3)), random);
      }
      c.net.runFor(5_000);
      for (int i = 0; i < 3; i++) {
        maxLog = Math.max(maxLog, c.logSize(i));
      }
    }
    c.settle(60_000);
    c.net.runFor(5_000);
    assertThat(c.replica(0).vector().total()).isEqualTo(c.writeOrder.size());
    // Each round writes 100 records; the log never holds much more than what is in flight.
    assertThat(maxLog).as("largest log seen").isLessThanOrEqualTo(400);
    for (int i = 0; i < 3; i++) {
      assertThat(c.logSize(i)).as("log of r%d at rest", i).isZero();
      assertThat(c.replica(i).compactions()).isPositive();
    }
    c.assertConverged();
    c.assertMatchesOracle();
    c.checker.assertNoViolation();
  }

  @Test
  void silentPeerHoldsCompactionBackOnlyUntilForgotten() {
    SimCluster c = cluster(12, 3);
    SplittableRandom random = new SplittableRandom(12);
    for (int i = 0; i < 30; i++) {
      Workload.write(c.replica(random.nextInt(3)), random);
    }
    c.settle(60_000);
    c.net.setOnline("r2", false);
    for (int i = 0; i < 200; i++) {
      Workload.write(c.replica(random.nextInt(2)), random);
    }
    c.net.runFor(FORGET_AFTER / 2);
    // r2 has not acknowledged the new writes and still counts: they stay in the log.
    long unseenByR2 = c.replica(0).vector().total() - c.replica(2).vector().total();
    assertThat(unseenByR2).isGreaterThan(100);
    assertThat(c.logSize(0)).isGreaterThanOrEqualTo(unseenByR2);
    c.net.runFor(FORGET_AFTER);
    assertThat(c.logSize(0)).as("after the forget-after time").isZero();
    assertThat(c.logSize(1)).isZero();
  }

  /**
   * A purge that lands between an automatic run's reads and its save makes the store refuse the
   * save (the law: a purge is never undone); the run is folded again, from the purged records, on
   * a later tick, so the log still ends empty.
   */
  @Test
  void runRefusedForAPurgeIsFoldedAgainFromThePurgedRecords() {
    AtomicInteger purgesMidRun = new AtomicInteger();
    ClusterStores purgingBeforeTheFirstSave = new ClusterStores() {
      @Override
      public ReplicaStore create(int i) {
        InMemoryReplicaStore store = new InMemoryReplicaStore();
        return i != 0 ? store : new ForwardingReplicaStore(store) {
          @Override
          public boolean saveSnapshotUnlessPurged(Snapshot next, long purgesSeen) {
            purgeOnce();
            return super.saveSnapshotUnlessPurged(next, purgesSeen);
          }

          @Override
          public void saveSnapshot(Snapshot next) {
            purgeOnce(); // how compaction saved before it checked for purges
            super.saveSnapshot(next);
          }

          private void purgeOnce() {
            if (purgesMidRun.get() == 0 && purge("secret", p -> EMPTY_SET) > 0) {
              purgesMidRun.incrementAndGet();
            }
          }
        };
      }

      @Override
      public ReplicaStore reopen(int i, ReplicaStore closed) {
        throw new UnsupportedOperationException("no restarts here");
      }
    };
    SimCluster c = new SimCluster(14, 2, SyncMode.BATCH, new long[2],
        config -> config.withCompaction(256, FORGET_AFTER), purgingBeforeTheFirstSave);
    for (int i = 0; i < 20; i++) {
      String pin = "pin-" + i;
      c.replica(0).update("secret", OrSet.<String>empty(), (set, w) -> set.add(w.replica(), pin));
      c.replica(0).update("note", OrSet.<String>empty(), (set, w) -> set.add(w.replica(), pin));
    }
    c.settle(60_000);
    c.net.runFor(5_000);

    assertThat(purgesMidRun).as("purges between a run's reads and its save").hasValue(1);
    assertThat(c.logSize(0)).as("r0's log, folded after the refusal").isZero();
    Snapshot folded = c.stores.get(0).snapshot();
    assertThat(decodeSet(folded.objects().get("secret")).elements()).as("purged").isEmpty();
    assertThat(decodeSet(folded.objects().get("note")).elements()).hasSize(20);
  }

  private static final byte[] EMPTY_SET = BinaryCodec.encode(OrSet.<String>empty());

  private static OrSet<?> decodeSet(byte[] state) {
    try {
      return (OrSet<?>) BinaryCodec.decode(state);
    } catch (CodecException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void restartAfterCompactionKeepsTheClockAndNeverReissuesADot() {
    SimulatedNetwork net = new SimulatedNetwork(13);
    AtomicLong wall = new AtomicLong(10_000_000);
    InMemoryReplicaStore store = new InMemoryReplicaStore();
    ReplicaId id = ReplicaId.of(0x77);
    Replica r = Replica.builder().id(id).store(store).transport(net.endpoint("a"))
        .clock(wall::get).scheduler(net.scheduler()).build();
    for (int i = 0; i < 10; i++) {
      wall.addAndGet(5);
      r.update("likes", GCounter.empty(), (g, w) -> g.increment(w.replica(), 1));
      r.update("title", LwwRegister.<String>empty(), (t, w) -> t.assign(w.hlc(), "v"));
    }
    Hlc last = r.get("title", LwwRegister.<String>empty()).timestamp();
    // No peer was ever met, so everything written is stable.
    assertThat(r.compact()).isEqualTo(VersionVector.of(id, 20));
    assertThat(store.vector().total() - store.snapshot().vector().total()).isZero();
    r.close();

    wall.addAndGet(-3_600_000); // the device clock went back an hour while it was off
    Replica again = Replica.builder().id(id).store(store.reopen()).transport(net.endpoint("b"))
        .clock(wall::get).scheduler(net.scheduler()).build();
    assertThat(again.vector()).isEqualTo(VersionVector.of(id, 20));
    assertThat(again.get("likes", GCounter.empty()).value()).isEqualTo(10);
    Write w = again.update("title", LwwRegister.<String>empty(), (t, c) -> t.assign(c.hlc(), "new"));
    assertThat(w.dot().counter()).as("the next dot, not a reissued one").isEqualTo(21);
    LwwRegister<String> title = again.get("title", LwwRegister.<String>empty());
    assertThat(title.value()).isEqualTo("new");
    assertThat(title.timestamp()).isGreaterThan(last);
    again.close();
  }
}
