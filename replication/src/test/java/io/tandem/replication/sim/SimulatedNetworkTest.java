package io.tandem.replication.sim;

import static io.tandem.replication.sim.SimulatedNetwork.EPOCH_MILLIS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.replication.sim.NetworkStats.Traffic;
import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.Scheduler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SimulatedNetworkTest {

  private final SimulatedNetwork net = new SimulatedNetwork(1);

  // ---- determinism ----

  @Test
  void sameSeedGivesIdenticalTrace() {
    List<String> first = chaoticRun(42);
    List<String> second = chaoticRun(42);

    assertThat(first).hasSizeGreaterThan(1_000);
    assertThat(second).isEqualTo(first);
  }

  @Test
  void differentSeedsGiveDifferentTraces() {
    assertThat(chaoticRun(43)).isNotEqualTo(chaoticRun(42));
  }

  /**
   * Three nodes on lossy links that gossip on a timer and answer each other, one of them on an
   * online schedule, with a partition in the middle: every source of randomness takes part.
   */
  private static List<String> chaoticRun(long seed) {
    SimulatedNetwork net = new SimulatedNetwork(seed);
    List<String> trace = new ArrayList<>();
    List<SimNode> nodes = List.of(SimNode.start(net, "a", trace), SimNode.start(net, "b", trace),
        SimNode.start(net, "c", trace));
    net.conditionsForAll(new LinkConditions(0.2, 0.1, 1, 200));
    net.onlineSchedule("c", 0.5, 500);
    for (SimNode node : nodes) {
      node.answer = (peer, f) -> f[0] < 3 ? new byte[] {(byte) (f[0] + 1), f[1]} : null;
      gossipEvery50Millis(net, node);
    }
    net.scheduler().schedule(5_000, () -> net.partition(Set.of("a"), Set.of("b", "c")));
    net.scheduler().schedule(8_000, net::heal);

    net.runFor(20_000);

    trace.add(net.stats().toString());
    return trace;
  }

  private static void gossipEvery50Millis(SimulatedNetwork net, SimNode node) {
    net.scheduler().schedule(50, () -> {
      for (PeerId peer : List.copyOf(node.connected)) {
        node.send(peer.value(), new byte[] {0, (byte) node.name.charAt(0)});
      }
      gossipEvery50Millis(net, node);
    });
  }

  // ---- link conditions ----

  @Test
  void dropOfOneDeliversNothing() {
    SimNode a = SimNode.start(net, "a");
    SimNode b = SimNode.start(net, "b");
    net.conditions("a", "b", LinkConditions.PERFECT.withDrop(1.0));
    net.runFor(1);

    for (int i = 0; i < 100; i++) {
      assertThat(a.send("b", new byte[] {(byte) i})).isCompleted();
    }
    net.runFor(1_000);

    assertThat(b.frames).isEmpty();
    assertThat(net.stats().dropped()).isEqualTo(100);
    assertThat(net.stats().sent().frames()).isEqualTo(100);
  }

  @Test
  void duplicateOfOneDeliversEachFrameTwice() {
    SimNode a = SimNode.start(net, "a");
    SimNode b = SimNode.start(net, "b");
    net.conditions("a", "b", LinkConditions.PERFECT.withDuplicate(1.0).withDelay(1, 50));
    net.runFor(1);

    for (int i = 0; i < 50; i++) {
      a.send("b", new byte[] {(byte) i});
    }
    net.runFor(1_000);

    int[] copies = new int[50];
    b.frames.forEach(f -> copies[f[0]]++);
    assertThat(copies).containsOnly(2);
    assertThat(net.stats().duplicated()).isEqualTo(50);
    assertThat(net.stats().delivered()).isEqualTo(100);
  }

  @Test
  void wideDelaysReorderFrames() {
    SimNode a = SimNode.start(net, "a");
    SimNode b = SimNode.start(net, "b");
    net.conditions("a", "b", LinkConditions.PERFECT.withDelay(1, 500));
    net.runFor(1);

    for (int i = 0; i < 100; i++) {
      a.send("b", new byte[] {(byte) i});
    }
    net.runFor(1_000);

    List<Integer> order = b.frames.stream().map(f -> (int) f[0]).toList();
    assertThat(order).hasSize(100).doesNotHaveDuplicates().isNotEqualTo(order.stream().sorted()
        .toList());
  }

  @Test
  void directedConditionsAffectOneDirectionOnly() {
    SimNode a = SimNode.start(net, "a");
    SimNode b = SimNode.start(net, "b");
    net.directedConditions("a", "b", LinkConditions.PERFECT.withDrop(1.0));
    net.runFor(1);

    a.send("b", new byte[] {1});
    b.send("a", new byte[] {2});
    net.runFor(10);

    assertThat(b.frames).isEmpty();
    assertThat(a.frames).hasSize(1);
  }

  @Test
  void linkConditionsRejectImpossibleValues() {
    assertThatThrownBy(() -> new LinkConditions(-0.1, 0, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LinkConditions(1.1, 0, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LinkConditions(Double.NaN, 0, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LinkConditions(0, 2, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LinkConditions(0, 0, -1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LinkConditions(0, 0, 5, 4))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new LinkConditions(1, 1, 0, 0)).isNotNull();
  }

  // ---- connectivity ----

  @Test
  void partitionCutsLinksBetweenGroupsAndHealRestoresThemWithPeerUp() {
    SimNode a = SimNode.start(net, "a");
    SimNode b = SimNode.start(net, "b");
    SimNode c = SimNode.start(net, "c");
    net.runFor(1);

    net.partition(Set.of("a"), Set.of("b", "c"));
    net.runFor(1);

    assertThat(a.events).containsExactly("up b", "up c", "down b", "down c");
    assertThat(b.events).containsExactly("up a", "up c", "down a");
    assertThat(net.connected("b", "c")).isTrue();
    assertThat(a.send("b", new byte[] {1})).isCompletedExceptionally();

    net.heal();
    net.runFor(1);
    a.send("b", new byte[] {2});
    net.runFor(1);

    assertThat(a.events).endsWith("up b", "up c");
    assertThat(b.events).endsWith("down a", "up a");
    assertThat(b.frames).containsExactly(new byte[] {2});
  }

  @Test
  void nodesNamedInNoGroupStayTogether() {
    SimNode.start(net, "a");
    SimNode.start(net, "b");
    SimNode.start(net, "c");

    net.partition(Set.of("a"));

    assertThat(net.connected("a", "b")).isFalse();
    assertThat(net.connected("a", "c")).isFalse();
    assertThat(net.connected("b", "c")).isTrue();
  }

  @Test
  void framesInFlightAreLostWhenTheLinkGoesDown() {
    SimNode a = SimNode.start(net, "a");
    SimNode b = SimNode.start(net, "b");
    net.conditions("a", "b", LinkConditions.PERFECT.withDelay(100, 100));
    b.answer = (peer, f) -> new byte[] {42};
    net.runFor(1);

    a.send("b", new byte[] {1});
    // b gets the request at +100 and answers; a drops off 50 ms later, so the answer is lost.
    net.runFor(150);
    net.setOnline("a", false);
    net.runFor(10);
    net.setOnline("a", true);
    net.runFor(1_000);

    assertThat(b.frames).hasSize(1);
    assertThat(a.frames).isEmpty();
    assertThat(a.events).containsExactly("up b", "down b", "up b");
    assertThat(net.stats().lostInFlight()).isEqualTo(1);
  }

  @Test
  void sendOnADownLinkIsRefused() {
    SimNode a = SimNode.start(net, "a");
    SimNode b = SimNode.start(net, "b");
    net.setOnline("b", false);
    net.runFor(1);

    CompletableFuture<Void> sent = a.send("b", new byte[] {1});
    net.runFor(100);

    assertThat(sent).isCompletedExceptionally();
    assertThat(b.frames).isEmpty();
    assertThat(net.stats().refused()).isEqualTo(1);
    assertThat(net.stats().sent()).isEqualTo(Traffic.ZERO);
  }

  @Test
  void nodesLinkOnlyOnceBothHaveStarted() {
    SimNode a = SimNode.start(net, "a");
    SimNode b = SimNode.create(net, "b");
    net.runFor(10);

    assertThat(a.events).isEmpty();
    assertThat(net.connected("a", "b")).isFalse();

    b.transport.start(b);
    net.runFor(1);
    assertThat(a.events).containsExactly("up b");
  }

  @Test
  void disconnectCutsTheLinkBrieflyAndRecordsTheReason() {
    SimNode a = SimNode.start(net, "a");
    SimNode b = SimNode.start(net, "b");
    net.runFor(1);
    long cutAt = net.now();

    a.transport.disconnect(PeerId.of("b"), "bad frame");
    net.runFor(SimulatedNetwork.DISCONNECT_CUT_MILLIS - 1);
    assertThat(net.connected("a", "b")).isFalse();
    net.runUntil(cutAt + SimulatedNetwork.DISCONNECT_CUT_MILLIS);

    assertThat(net.connected("a", "b")).isTrue();
    assertThat(a.events).containsExactly("up b", "down b", "up b");
    assertThat(b.events).containsExactly("up a", "down a", "up a");
    assertThat(net.disconnectReasons()).containsExactly("a->b: bad frame");
  }

  @Test
  void closedEndpointGetsNothingMore() {
    SimNode a = SimNode.start(net, "a");
    SimNode b = SimNode.start(net, "b");
    net.runFor(1);
    a.send("b", new byte[] {1});

    b.transport.close();
    net.heal();
    net.runFor(100);

    assertThat(b.events).containsExactly("up a");
    assertThat(b.frames).isEmpty();
    assertThat(a.events).containsExactly("up b", "down b");
    assertThat(net.isOnline("b")).isFalse();
    assertThat(a.send("b", new byte[] {2})).isCompletedExceptionally();
  }

  @Test
  void endpointNameCanBeUsedOnlyOnce() {
    net.endpoint("a").close();

    assertThatThrownBy(() -> net.endpoint("a")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void listenersAreCalledOnlyInsideRunMethods() {
    SimNode a = SimNode.start(net, "a");
    SimNode b = SimNode.start(net, "b");
    assertThat(a.events).isEmpty();
    net.runFor(1);

    a.send("b", new byte[] {1});
    assertThat(b.frames).isEmpty();

    assertThat(net.step()).isTrue();
    assertThat(b.frames).hasSize(1);
    assertThat(net.step()).isFalse();
  }

  @Test
  void runMethodsRefuseToBeCalledFromAnEvent() {
    net.scheduler().schedule(1, () -> net.runFor(10));

    assertThatThrownBy(() -> net.runFor(5)).isInstanceOf(IllegalStateException.class);
  }

  // ---- online schedules ----

  @Test
  void onlineScheduleKeepsANodeOnlineForTheGivenFraction() {
    SimNode a = SimNode.start(net, "a");
    SimNode.start(net, "b");
    net.onlineSchedule("b", 0.1, 1_000);

    long start = net.now();
    net.runFor(10_000_000);

    assertThat(upFraction(a, start, net.now())).isBetween(0.07, 0.13);
    assertThat(a.count("up")).isGreaterThan(500);
  }

  @Test
  void twoNodesOnlineTenPercentEachMeetAboutOnePercentOfTheTime() {
    SimNode a = SimNode.start(net, "a");
    SimNode.start(net, "b");
    net.onlineSchedule("a", 0.1, 1_000);
    net.onlineSchedule("b", 0.1, 1_000);

    long start = net.now();
    net.runFor(20_000_000);

    assertThat(upFraction(a, start, net.now())).isBetween(0.005, 0.015);
  }

  @Test
  void setOnlineEndsTheSchedule() {
    SimNode a = SimNode.start(net, "a");
    SimNode.start(net, "b");
    net.onlineSchedule("b", 0.5, 100);
    net.runFor(10_000);
    int seen = a.events.size();

    net.setOnline("b", true);
    net.runFor(10_000);

    assertThat(a.events.size()).isBetween(seen, seen + 1);
    assertThat(net.connected("a", "b")).isTrue();
  }

  @Test
  void clearSchedulesLeavesEachNodeAsItIs() {
    SimNode.start(net, "a");
    SimNode.start(net, "b");
    net.onlineSchedule("b", 0.5, 100);
    net.runFor(1_234);
    boolean online = net.isOnline("b");

    net.clearSchedules();
    net.runFor(10_000);

    assertThat(net.isOnline("b")).isEqualTo(online);
  }

  /** Share of [from, to) during which {@code node} had a link up, from its peer events. */
  private static double upFraction(SimNode node, long from, long to) {
    long upSince = -1;
    long total = 0;
    for (String line : node.trace) {
      String[] parts = line.split(" ");
      long time = Long.parseLong(parts[0]);
      if (parts[2].equals("up")) {
        upSince = time;
      } else if (parts[2].equals("down")) {
        total += time - upSince;
        upSince = -1;
      }
    }
    if (upSince >= 0) {
      total += to - upSince;
    }
    return (double) total / (to - from);
  }

  // ---- stats ----

  @Test
  void statsCountFramesAndBytesPerKindAndPerLink() {
    SimNode a = SimNode.start(net, "a");
    SimNode b = SimNode.start(net, "b");
    SimNode.start(net, "c");
    // A kind function that consumes its buffer must not change what is delivered.
    net.setFrameKind(f -> f.get() == 1 ? "hello" : "data");
    net.runFor(1);

    for (int i = 0; i < 3; i++) {
      a.send("b", filled(1, 10));
    }
    b.send("a", filled(2, 100));
    b.send("a", filled(2, 100));
    net.setOnline("c", false);
    a.send("c", filled(1, 5));
    net.runFor(10);

    NetworkStats stats = net.stats();
    assertThat(stats.sent()).isEqualTo(new Traffic(5, 230));
    assertThat(stats.kind("hello")).isEqualTo(new Traffic(3, 30));
    assertThat(stats.kind("data")).isEqualTo(new Traffic(2, 200));
    assertThat(stats.link("a", "b")).isEqualTo(new Traffic(3, 30));
    assertThat(stats.link("b", "a")).isEqualTo(new Traffic(2, 200));
    assertThat(stats.link("a", "c")).isEqualTo(Traffic.ZERO);
    assertThat(stats.delivered()).isEqualTo(5);
    assertThat(stats.refused()).isEqualTo(1);
    assertThat(b.frames.get(0)).isEqualTo(filled(1, 10));
  }

  @Test
  void resetStatsStartsCountingAfresh() {
    SimNode a = SimNode.start(net, "a");
    SimNode.start(net, "b");
    net.runFor(1);
    a.send("b", filled(1, 10));
    NetworkStats before = net.stats();

    net.resetStats();
    a.send("b", filled(1, 7));
    net.runFor(10);

    assertThat(net.stats().sent()).isEqualTo(new Traffic(1, 7));
    assertThat(before.sent()).isEqualTo(new Traffic(1, 10));
    assertThat(net.stats().minus(net.stats()).byLink()).isEmpty();
  }

  private static byte[] filled(int value, int length) {
    byte[] bytes = new byte[length];
    Arrays.fill(bytes, (byte) value);
    return bytes;
  }

  // ---- time ----

  @Test
  void runUntilQuietReturnsTheTimeOfTheLastFrame() {
    SimNode a = SimNode.start(net, "a");
    SimNode b = SimNode.start(net, "b");
    pingPongUntilHop(a, b, 9);
    tickForever(100);
    net.runFor(10);
    long start = net.now();

    a.send("b", new byte[] {0});
    long last = net.runUntilQuiet(1_000, 60_000);

    // Hops 0..9 take one millisecond each on a perfect link.
    assertThat(last).isEqualTo(start + 9);
    assertThat(net.now()).isEqualTo(last + 1_000);
    assertThat(net.lastSendTime()).isEqualTo(last);
  }

  @Test
  void runUntilQuietWaitsForFramesStillInFlight() {
    SimNode a = SimNode.start(net, "a");
    SimNode b = SimNode.start(net, "b");
    net.conditions("a", "b", LinkConditions.PERFECT.withDelay(5_000, 5_000));
    pingPongUntilHop(a, b, 1);
    net.runFor(1);
    long start = net.now();

    a.send("b", new byte[] {0});

    assertThat(net.runUntilQuiet(100, 60_000)).isEqualTo(start + 5_000);
    assertThat(a.frames).hasSize(1);
  }

  @Test
  void runUntilQuietThrowsWhileTrafficContinues() {
    SimNode a = SimNode.start(net, "a");
    SimNode b = SimNode.start(net, "b");
    pingPongUntilHop(a, b, Integer.MAX_VALUE);
    net.runFor(1);
    long start = net.now();
    a.send("b", new byte[] {0});

    assertThatThrownBy(() -> net.runUntilQuiet(100, 5_000))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not quiet")
        .hasMessageContaining("frame=");
    assertThat(net.now()).isEqualTo(start + 5_000);
  }

  @Test
  void runUntilQuietOnASilentNetworkReturnsAfterTheQuietPeriod() {
    tickForever(10);
    long start = net.now();

    assertThat(net.runUntilQuiet(500, 1_000)).isEqualTo(start);
    assertThat(net.now()).isEqualTo(start + 500);
  }

  @Test
  void schedulerRunsTasksAtTheirVirtualTime() {
    List<String> ran = new ArrayList<>();
    Scheduler scheduler = net.scheduler();
    long start = net.now();
    scheduler.schedule(30, () -> ran.add("a@" + (net.now() - start)));
    scheduler.schedule(10, () -> ran.add("b@" + (net.now() - start)));
    scheduler.schedule(20, () -> {
      ran.add("c@" + (net.now() - start));
      scheduler.schedule(5, () -> ran.add("e@" + (net.now() - start)));
    });
    scheduler.schedule(10, () -> ran.add("d@" + (net.now() - start)));

    net.runFor(100);

    assertThat(ran).containsExactly("b@10", "d@10", "c@20", "e@25", "a@30");
    assertThat(net.now()).isEqualTo(start + 100);
  }

  @Test
  void cancelledTasksDoNotRun() {
    List<String> ran = new ArrayList<>();
    Scheduler.Cancellable first = net.scheduler().schedule(10, () -> ran.add("first"));
    net.scheduler().schedule(20, () -> ran.add("second"));

    first.cancel();
    net.runFor(100);

    assertThat(ran).containsExactly("second");
  }

  @Test
  void clockReadsVirtualTime() {
    assertThat(net.clock().millis()).isEqualTo(EPOCH_MILLIS);

    net.runFor(250);

    assertThat(net.clock().millis()).isEqualTo(EPOCH_MILLIS + 250);
    assertThat(net.now()).isEqualTo(EPOCH_MILLIS + 250);
  }

  /** Each node answers a frame holding hop {@code n} with hop {@code n + 1}, up to {@code max}. */
  private static void pingPongUntilHop(SimNode a, SimNode b, int max) {
    for (SimNode node : List.of(a, b)) {
      node.answer = (peer, f) -> {
        int hop = f[0] & 0x7f;
        return hop < max ? new byte[] {(byte) ((hop + 1) & 0x7f)} : null;
      };
    }
  }

  /** A timer that keeps ticking without sending, as a replica's resend timer does. */
  private void tickForever(long period) {
    net.scheduler().schedule(period, () -> tickForever(period));
  }
}
