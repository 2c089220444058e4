package io.tandem.replication;

import static io.tandem.replication.EphemeralHeard.line;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.replication.protocol.Message.Ephemeral;
import io.tandem.replication.sim.NetworkStats;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The ephemeral channel on the simulator (virtual time, deterministic): a publish reaches the
 * peers connected at that moment and nobody else, ever; it is not stored, logged, resent or
 * relayed. Frames are counted by kind, so "nothing else was sent" is read off the network.
 */
class EphemeralChannelTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Three replicas in a mesh, each with a few writes, synced. */
  private static SimCluster synced(Links links) {
    SimCluster c = new SimCluster(11, 3, SyncMode.BATCH, links);
    for (int i = 0; i < 3; i++) {
      Notes.put(c.replica(i), "notes", "n" + i, "v" + i);
    }
    c.settle(60_000);
    return c;
  }

  @Test
  void publishReachesEveryConnectedPeerOnceAndNotItsAuthor() {
    SimCluster c = synced(Links.ORDERED);
    List<EphemeralHeard> heard = List.of(EphemeralHeard.on(c.replica(0)),
        EphemeralHeard.on(c.replica(1)), EphemeralHeard.on(c.replica(2)));

    assertThat(c.replica(0).publish("typing", utf8("note n1"))).isEqualTo(2);
    c.net.runFor(1_000);

    String expected = line(c.replica(0), "typing", "note n1");
    assertThat(heard.get(0).all()).as("the author's own listeners").isEmpty();
    assertThat(heard.get(1).all()).containsExactly(expected);
    assertThat(heard.get(2).all()).containsExactly(expected);
  }

  @Test
  void publishBeforeAnySessionReachesNobodyThenOrAfterwards() {
    SimCluster c = new SimCluster(12, 2, SyncMode.BATCH, Links.ORDERED);
    EphemeralHeard heard = EphemeralHeard.on(c.replica(1));

    assertThat(c.replica(0).publish("presence", utf8("early"))).isZero();
    c.settle(60_000);
    assertThat(c.net.stats().kind("ephemeral").frames()).isZero();

    assertThat(c.replica(0).publish("presence", utf8("late"))).isEqualTo(1);
    c.net.runFor(1_000);
    assertThat(heard.all()).containsExactly(line(c.replica(0), "presence", "late"));
  }

  @Test
  void peerOfflineAtPublishNeverGetsItEvenAfterReconnect() {
    SimCluster c = synced(Links.ORDERED);
    EphemeralHeard heard = EphemeralHeard.on(c.replica(2));
    c.net.setOnline("r2", false);
    c.net.runFor(5_000);

    assertThat(c.replica(0).publish("typing", utf8("while r2 is away"))).isEqualTo(1);
    c.net.setOnline("r2", true);
    c.settle(60_000);
    c.net.runFor(60_000); // every resend timer of the reconnected sessions has fired

    assertThat(heard.all()).isEmpty();
    c.replica(0).publish("typing", utf8("back"));
    c.net.runFor(1_000);
    assertThat(heard.all()).as("the channel itself works").containsExactly(
        line(c.replica(0), "typing", "back"));
  }

  @Test
  void peerPartitionedAtPublishNeverGetsItAfterTheHeal() {
    SimCluster c = synced(Links.UNORDERED);
    EphemeralHeard heard = EphemeralHeard.on(c.replica(2));
    c.net.partition(Set.of("r0", "r1"), Set.of("r2"));
    c.net.runFor(10_000);
    c.net.resetStats();

    c.replica(0).publish("typing", utf8("r2 is cut off"));
    c.replica(1).publish("typing", utf8("so it is"));
    c.heal();
    c.settle(60_000);
    c.net.runFor(60_000);

    assertThat(heard.all()).isEmpty();
    NetworkStats s = c.net.stats();
    assertThat(s.kind("ephemeral").frames()).as("one each way between r0 and r1: %s", s.byKind())
        .isLessThanOrEqualTo(2);
  }

  /** A - B - C, A and C never meet: B hears A, and C hears nothing, not even through B. */
  @Test
  void ephemeralIsNeverRelayedToAThirdReplica() {
    SimCluster c = new SimCluster(13, 3, SyncMode.BATCH, Links.ORDERED);
    c.net.cut("r0", "r2");
    Notes.put(c.replica(0), "notes", "a", "from A");
    c.settle(60_000);
    assertThat(Notes.get(c.replica(2), "notes", "a")).as("records do travel A - B - C")
        .isEqualTo("from A");
    EphemeralHeard atB = EphemeralHeard.on(c.replica(1));
    EphemeralHeard atC = EphemeralHeard.on(c.replica(2));
    c.net.resetStats();

    assertThat(c.replica(0).publish("typing", utf8("A types"))).isEqualTo(1);
    c.net.runFor(30_000);

    assertThat(atB.all()).containsExactly(line(c.replica(0), "typing", "A types"));
    assertThat(atC.all()).isEmpty();
    assertThat(c.net.stats().kind("ephemeral").frames()).as("A to B, and no further")
        .isEqualTo(1);
  }

  @Test
  void publishingChangesNoStoreNoVectorAndNoObject() {
    SimCluster c = synced(Links.ORDERED);
    List<ReplicaState> before = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      before.add(ReplicaState.of(c.replica(i), c.stores.get(i)));
    }
    long appliedBefore = c.replica(1).metrics().applied();
    c.net.resetStats();

    for (int i = 0; i < 50; i++) {
      c.replica(i % 3).publish("presence/" + i, utf8("{\"online\":" + i + "}"));
      c.net.runFor(50);
    }
    c.net.runFor(60_000);

    for (int i = 0; i < 3; i++) {
      assertThat(ReplicaState.of(c.replica(i), c.stores.get(i))).as("r%d", i)
          .isEqualTo(before.get(i));
      assertThat(c.stores.get(i).snapshot().vector()).isEqualTo(before.get(i).folded());
    }
    assertThat(c.replica(1).metrics().applied()).isEqualTo(appliedBefore);
    NetworkStats s = c.net.stats();
    assertThat(s.byKind().keySet()).as("no records, acks or summaries follow: %s", s.byKind())
        .containsOnly("ephemeral");
    assertThat(s.kind("ephemeral").frames()).isEqualTo(100);
  }

  /**
   * Over a lossy, duplicating, reordering link: each message goes once from its author (never
   * resent), and a listener hears each at most once, in the order published.
   */
  @Test
  void overALossyLinkEachIsSentOnceAndHeardAtMostOnceInOrder() {
    for (long seed = 1; seed <= 20; seed++) {
      SimCluster c = new SimCluster(seed, 2, SyncMode.BATCH, Links.UNORDERED);
      c.settle(60_000);
      c.net.conditionsForAll(new io.tandem.replication.sim.LinkConditions(0.3, 0.3, 1, 400));
      EphemeralHeard heard = EphemeralHeard.on(c.replica(1));
      c.net.resetStats();
      int reached = 0;
      for (int i = 1; i <= 40; i++) {
        reached += c.replica(0).publish("n", utf8(Integer.toString(i)));
        c.net.runFor(30);
      }
      c.net.runFor(10_000);

      assertThat(c.net.stats().kind("ephemeral").frames()).as("seed %d", seed)
          .isEqualTo(reached);
      List<Integer> got = heard.all().stream()
          .map(l -> Integer.parseInt(l.substring(l.lastIndexOf(' ') + 1))).toList();
      assertThat(got).as("seed %d", seed).isSorted().doesNotHaveDuplicates();
    }
  }

  @Test
  void topicsAndPayloadsBeyondTheLimitsAreRefusedAndNothingIsSent() {
    SimCluster c = synced(Links.ORDERED);
    Replica r = c.replica(0);
    c.net.resetStats();

    assertThatThrownBy(() -> r.publish("t".repeat(256), new byte[0]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topic");
    assertThatThrownBy(() -> r.publish("", new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> r.publish("a\uDC00", new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> r.publish("t", new byte[Ephemeral.MAX_PAYLOAD_BYTES + 1]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("payload");
    assertThatThrownBy(() -> r.publish(null, new byte[0]))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> r.publish("t", null)).isInstanceOf(NullPointerException.class);
    c.net.runFor(100);
    assertThat(c.net.stats().kind("ephemeral").frames()).isZero();

    EphemeralHeard heard = EphemeralHeard.on(c.replica(1));
    assertThat(r.publish("t".repeat(255), new byte[Ephemeral.MAX_PAYLOAD_BYTES])).isEqualTo(2);
    c.net.runFor(1_000);
    assertThat(heard.all()).hasSize(1);

    r.close();
    assertThatThrownBy(() -> r.publish("t", new byte[0]))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void payloadIsCopiedOnTheWayOutAndForEachListener() {
    SimCluster c = synced(Links.ORDERED);
    List<byte[]> first = new ArrayList<>();
    List<byte[]> second = new ArrayList<>();
    c.replica(1).addEphemeralListener((origin, topic, payload) -> {
      first.add(payload);
      payload[0] = 'X';
    });
    c.replica(1).addEphemeralListener((origin, topic, payload) -> {
      throw new IllegalStateException("a listener that fails stops nobody");
    });
    c.replica(1).addEphemeralListener((origin, topic, payload) -> second.add(payload));
    byte[] payload = utf8("abc");

    c.replica(0).publish("t", payload);
    payload[0] = 'Z';
    c.net.runFor(1_000);

    assertThat(first).hasSize(1);
    assertThat(second).hasSize(1);
    assertThat(new String(second.get(0), StandardCharsets.UTF_8)).isEqualTo("abc");
    assertThat(new String(first.get(0), StandardCharsets.UTF_8)).isEqualTo("Xbc");
  }
}
