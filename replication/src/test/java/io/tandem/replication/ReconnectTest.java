package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.memory.InMemoryReplicaStore;
import io.tandem.replication.sim.LinkConditions;
import io.tandem.replication.sim.NetworkStats;
import io.tandem.replication.spi.SyncBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a reconnect costs between two replicas that met before (issue 6, part 3): on the
 * simulator, with every one-way trip taking {@value #ONE_WAY} ms, so round trips are read off
 * virtual time. Handshake bytes are all frames but deltas, both directions.
 */
class ReconnectTest {

  private static final long ONE_WAY = 50;

  /** Two replicas that wrote and synced, then the second went offline for a while. */
  private static SimCluster metAndParted(SyncMode mode) {
    SimCluster c = new SimCluster(5, 2, mode);
    c.net.conditionsForAll(new LinkConditions(0, 0, ONE_WAY, ONE_WAY));
    for (int i = 0; i < 50; i++) {
      Notes.put(c.replica(0), "contacts", "c" + i, "v" + i);
      Notes.put(c.replica(1), "drafts", "d" + i, "v" + i);
    }
    c.settle(60_000);
    c.net.setOnline("r1", false);
    c.net.runFor(3_600_000);
    return c;
  }

  /** Brings r1 back and settles: the handshake's bytes and its round trips until quiet. */
  private static double[] reconnect(SimCluster c) {
    c.net.resetStats();
    long start = c.net.now();
    c.net.setOnline("r1", true);
    long lastSend = c.settle(60_000);
    NetworkStats s = c.net.stats();
    long handshake = s.sent().bytes() - s.kind("deltas").bytes();
    return new double[] {handshake, (lastSend + ONE_WAY - start) / (2.0 * ONE_WAY)};
  }

  @ParameterizedTest
  @EnumSource(SyncMode.class)
  void reconnectWithNothingChangedCostsOneRoundTripAndAtMost48Bytes(SyncMode mode) {
    SimCluster c = metAndParted(mode);

    double[] cost = reconnect(c);

    assertThat(cost[0]).as("bytes: %s", c.net.stats().byKind()).isLessThanOrEqualTo(48);
    assertThat(cost[1]).as("round trips").isLessThanOrEqualTo(1.0);
    c.assertConverged();
  }

  /**
   * Both modes: interactive mode's summary is its offer, and its request names the feed by
   * position in that summary's dictionary, seven bytes (protocol version 3).
   */
  @ParameterizedTest
  @EnumSource(SyncMode.class)
  void reconnectAfterTenWritesCostsTheirEntriesOnly(SyncMode mode) {
    SimCluster c = metAndParted(mode);
    for (int i = 0; i < 10; i++) {
      Notes.put(c.replica(0), "contacts", "c" + i, "changed" + i);
    }

    double[] cost = reconnect(c);

    // One feed grew: its entry in r0's summary and in r1's ack, a few bytes each.
    assertThat(cost[0]).as("bytes: %s", c.net.stats().byKind()).isLessThanOrEqualTo(64 + 8);
    assertThat(Notes.get(c.replica(1), "contacts", "c7")).isEqualTo("changed7");
    c.assertConverged();
  }

  @ParameterizedTest
  @EnumSource(SyncMode.class)
  void resumeWorksAfterBothReplicasRestart(SyncMode mode) {
    SimCluster c = metAndParted(mode);
    c.restart(0);
    c.restart(1);
    c.net.setOnline("r1", false);
    c.net.runFor(60_000);
    Notes.put(c.replica(1), "drafts", "d1", "written offline");

    double[] cost = reconnect(c);

    // Summaries, then the record and its ack; interactive mode offers and requests first.
    assertThat(cost[1]).as("round trips")
        .isLessThanOrEqualTo(mode == SyncMode.BATCH ? 2.0 : 3.0);
    assertThat(c.net.stats().kind("summary").bytes()).as("two hashes and one entry")
        .isLessThanOrEqualTo(2 * 11 + 4);
    assertThat(Notes.get(c.replica(0), "drafts", "d1")).isEqualTo("written offline");
    c.assertConverged();
  }

  @ParameterizedTest
  @EnumSource(SyncMode.class)
  void aBaseThatNoLongerMatchesFallsBackToTheWholeSummaryAndConverges(SyncMode mode) {
    SimCluster c = metAndParted(mode);
    ReplicaId r0 = c.replica(0).id();
    // r1's store forgot part of what r0 told it (a crash before the base was saved, say).
    c.replica(1).close();
    InMemoryReplicaStore store = ((InMemoryReplicaStore) c.stores.get(1)).reopen();
    SyncBase saved = store.syncBases().get(r0);
    assertThat(saved).isNotNull();
    store.saveSyncBase(r0, saved.withHeard(VersionVector.of(r0, 1)));
    store.close();
    c.stores.set(1, store);
    c.restart(1);
    c.net.setOnline("r1", false);
    Notes.put(c.replica(0), "contacts", "c1", "changed");

    double[] first = reconnect(c);

    assertThat(c.net.stats().kind("summary").frames()).as("r1 asks for r0's whole vector")
        .isEqualTo(4);
    assertThat(first[1]).as("one more round trip than without the fallback")
        .isLessThanOrEqualTo(mode == SyncMode.BATCH ? 2.5 : 3.5);
    assertThat(Notes.get(c.replica(1), "contacts", "c1")).isEqualTo("changed");
    c.assertConverged();

    c.net.setOnline("r1", false);
    c.net.runFor(60_000);
    assertThat(reconnect(c)[0]).as("the base is common again").isLessThanOrEqualTo(48);
  }
}
