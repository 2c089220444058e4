package io.tandem.replication.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.PeerListener;
import io.tandem.replication.spi.Transport;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A network made by {@link SimulatedNetwork#ordered} behaves like TCP connections: per link and
 * direction, frames arrive in the order sent, once, or the connection is reported down.
 */
class OrderedNetworkTest {

  private final SimulatedNetwork net = SimulatedNetwork.ordered(1);

  @Test
  void endpointsSayTheyAreOrderedAndTheDefaultNetworkDoesNot() {
    assertThat(net.endpoint("a").ordered()).isTrue();
    assertThat(new SimulatedNetwork(1).endpoint("a").ordered()).isFalse();
  }

  @Test
  void framesArriveInTheOrderSentOnceEachWhateverTheDelaysAndDuplication() {
    SimNode a = SimNode.start(net, "a");
    SimNode b = SimNode.start(net, "b");
    net.conditions("a", "b", LinkConditions.PERFECT.withDuplicate(1.0).withDelay(1, 500));
    net.runFor(1);

    for (int i = 0; i < 100; i++) {
      a.send("b", new byte[] {(byte) i});
      net.runFor(i % 3); // some frames sent in the same millisecond, some later
    }
    net.runFor(1_000);

    List<Integer> order = b.frames.stream().map(f -> (int) f[0]).toList();
    assertThat(order).hasSize(100).isSorted().doesNotHaveDuplicates();
    assertThat(net.stats().duplicated()).isZero();
  }

  @Test
  void aLostFrameBreaksTheConnectionForBothEndsTakingFramesInFlightAndItComesBack() {
    SimNode a = SimNode.start(net, "a");
    SimNode b = SimNode.start(net, "b");
    net.conditions("a", "b", LinkConditions.PERFECT.withDelay(50, 50));
    net.runFor(1);
    long start = net.now();

    a.send("b", new byte[] {1});
    net.runFor(10);
    net.directedConditions("a", "b", LinkConditions.PERFECT.withDelay(50, 50).withDrop(1.0));
    a.send("b", new byte[] {2});
    net.runFor(1);
    assertThat(net.connected("a", "b")).isFalse();
    assertThat(a.events).containsExactly("up b#1", "down b#1");
    assertThat(b.events).containsExactly("up a#1", "down a#1");
    CompletableFuture<Void> refused = a.send("b", new byte[] {3});

    net.directedConditions("a", "b", LinkConditions.PERFECT.withDelay(50, 50));
    net.runUntil(start + 10 + SimulatedNetwork.DISCONNECT_CUT_MILLIS);
    assertThat(net.connected("a", "b")).isTrue();
    assertThat(b.events).containsExactly("up a#1", "down a#1", "up a#3");
    a.send("b", new byte[] {4});
    net.runFor(1_000);

    assertThat(refused).isCompletedExceptionally();
    assertThat(b.frames).extracting(f -> (int) f[0]).containsExactly(4);
    assertThat(net.stats().dropped()).isEqualTo(1);
    assertThat(net.stats().lostInFlight()).isEqualTo(1);
  }

  @Test
  void aFrameAfterAReconnectDoesNotWaitBehindFramesLostWithTheOldConnection() {
    SimNode a = SimNode.start(net, "a");
    SimNode b = SimNode.start(net, "b");
    net.conditions("a", "b", LinkConditions.PERFECT.withDelay(10_000, 10_000));
    net.runFor(1);
    a.send("b", new byte[] {1});
    net.setOnline("b", false);
    net.setOnline("b", true);
    net.conditions("a", "b", LinkConditions.PERFECT);
    net.runFor(1);
    long sent = net.now();
    a.send("b", new byte[] {2});
    net.runFor(20_000);

    assertThat(b.frames).extracting(f -> (int) f[0]).containsExactly(2);
    assertThat(b.trace).anyMatch(line -> line.startsWith((sent + 1) + " b <- a"));
  }

  @Test
  void eachConnectionHasAnIdOfItsOwnAndASendOnAnEndedOneFails() {
    SimNode a = SimNode.start(net, "a");
    SimNode b = SimNode.start(net, "b");
    net.runFor(1);
    PeerId first = a.connected.iterator().next();
    net.setOnline("b", false);
    net.setOnline("b", true);
    net.runFor(1);
    PeerId second = a.connected.iterator().next();

    CompletableFuture<Void> stale = a.transport.send(first, ByteBuffer.wrap(new byte[] {1}))
        .toCompletableFuture();
    a.transport.send(second, ByteBuffer.wrap(new byte[] {2}));
    a.transport.disconnect(first, "late");
    net.runFor(100);

    assertThat(first).isNotEqualTo(second);
    assertThat(stale).isCompletedExceptionally();
    assertThat(b.frames).extracting(f -> (int) f[0]).containsExactly(2);
    assertThat(net.connected("a", "b")).as("disconnecting an ended connection cuts nothing")
        .isTrue();
  }

  @Test
  void sameSeedGivesTheSameRun() {
    assertThat(chatter(7).trace).isEqualTo(chatter(7).trace);
    assertThat(chatter(7).trace).isNotEqualTo(chatter(8).trace);
  }

  /**
   * The TCP law, over lossy links, online schedules and partitions: between two frames from the
   * same peer with no peerDown between them, the second is the very next one that peer sent,
   * and no frame ever arrives twice.
   */
  @Test
  void eachFrameFollowsTheOneBeforeItUnlessTheConnectionWentDownBetween() {
    qt().withExamples(30).withShrinkCycles(0).forAll(longs().all()).checkAssert(seed -> {
      Chatter c = chatter(seed);
      assertThat(c.violations).as("seed %d: %s", seed, c.trace.subList(0,
          Math.min(40, c.trace.size()))).isEmpty();
      assertThat(c.delivered).isGreaterThan(1_000);
      assertThat(c.net.stats().dropped()).isPositive();
      assertThat(c.net.stats().duplicated()).isZero();
    });
  }

  /** Three nodes that each send a numbered frame to each connected peer every few ms. */
  private static final class Chatter {
    final SimulatedNetwork net;
    final List<String> trace = new ArrayList<>();
    final List<String> violations = new ArrayList<>();
    long delivered;

    Chatter(SimulatedNetwork net) {
      this.net = net;
    }
  }

  private static Chatter chatter(long seed) {
    Chatter c = new Chatter(SimulatedNetwork.ordered(seed));
    List<String> names = List.of("a", "b", "c");
    Map<String, Transport> transports = new HashMap<>();
    for (String name : names) {
      transports.put(name, c.net.endpoint(name));
    }
    for (String name : names) {
      Map<PeerId, Integer> nextOut = new HashMap<>();
      Map<PeerId, Integer> lastIn = new HashMap<>();
      Set<PeerId> up = new java.util.LinkedHashSet<>();
      Transport t = transports.get(name);
      t.start(new PeerListener() {
        @Override
        public void peerUp(PeerId peer) {
          up.add(peer);
          c.trace.add(c.net.now() + " " + name + " up " + peer);
        }

        @Override
        public void peerDown(PeerId peer) {
          up.remove(peer);
          lastIn.remove(peer);
          c.trace.add(c.net.now() + " " + name + " down " + peer);
        }

        @Override
        public void frame(PeerId peer, ByteBuffer frame) {
          int seq = frame.getInt();
          Integer last = lastIn.put(peer, seq);
          c.delivered++;
          c.trace.add(c.net.now() + " " + name + " <- " + peer + " " + seq);
          if (last != null && seq != last + 1) {
            c.violations.add(name + " got " + seq + " from " + peer + " after " + last);
          }
        }
      });
      tick(c.net, () -> {
        for (PeerId peer : List.copyOf(up)) {
          int seq = nextOut.merge(peer, 1, Integer::sum);
          t.send(peer, ByteBuffer.allocate(4).putInt(0, seq));
        }
      });
    }
    c.net.conditionsForAll(new LinkConditions(0.01, 0.5, 1, 300));
    c.net.conditions("a", "b", new LinkConditions(0.1, 0.5, 1, 50));
    c.net.onlineSchedule("c", 0.6, 2_000);
    c.net.scheduler().schedule(5_000, () -> c.net.partition(Set.of("a"), Set.of("b", "c")));
    c.net.scheduler().schedule(8_000, c.net::heal);
    c.net.runFor(20_000);
    c.trace.add(c.net.stats().toString());
    return c;
  }

  private static void tick(SimulatedNetwork net, Runnable task) {
    net.scheduler().schedule(7, () -> {
      task.run();
      tick(net, task);
    });
  }
}
