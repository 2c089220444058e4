package io.tandem.bench;

import io.tandem.replication.sim.NetworkStats;
import io.tandem.replication.sim.SimulatedNetwork;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Part 4's setting, as MVDS published it: two communicating phones A and B, each writing a
 * message every 5 s, and a third node X that both share with, so that each node shares with 2.
 * X is either a third device that never writes (the published three-node group; "direct") or an
 * always-online relay. One run puts one system in one world for a while of writing and then
 * until every message reached every device, or until the cap.
 */
final class Experiment {

  static final String A = "A";
  static final String B = "B";
  static final String X = "X";
  static final List<String> NODES = List.of(A, B, X);
  static final List<String> PHONES = List.of(A, B);
  static final long WRITE_INTERVAL_MILLIS = 5_000;
  /** Writes fall a quarter second into a second: never on a slot edge or an MVDS epoch. */
  static final long WRITE_PHASE_MILLIS = 250;
  static final double DROP = 0.9;
  static final double ONLINE = 0.1;

  /**
   * @param seed of the world: every system of a table faces the same windows or lost slots
   * @param writeMillis how long the phones keep writing
   * @param capMillis the longest a run goes on after the writing, waiting for deliveries
   * @param bodyBytes the application payload of one message, the same for every system
   * @param sessionMillis mean online session in world (b)
   * @param seeds how many seeds (seed, seed + 1, …) a table runs, each its own world
   */
  record Setting(long seed, long writeMillis, long capMillis, int bodyBytes, long sessionMillis,
      int seeds) {
    Setting withSeed(long s) {
      return new Setting(s, writeMillis, capMillis, bodyBytes, sessionMillis, seeds);
    }

    long horizon() {
      return writeMillis + capMillis;
    }

    int messagesEach() {
      return (int) (writeMillis / WRITE_INTERVAL_MILLIS);
    }
  }

  private Experiment() {}

  static World dropped(Setting s) {
    return new DropSlots(s.seed(), SimulatedNetwork.EPOCH_MILLIS, NODES, DROP);
  }

  static World windows(Setting s, boolean relay) {
    return new OnlineWindows(s.seed(), SimulatedNetwork.EPOCH_MILLIS, s.horizon() + 3_600_000,
        relay ? PHONES : NODES, relay ? Set.of(X) : Set.of(), ONLINE, s.sessionMillis());
  }

  /** The devices that should receive every message: X too unless it is a relay. */
  static List<String> devices(boolean relay) {
    return relay ? PHONES : NODES;
  }

  /**
   * The body of message {@code k} of {@code author}: its key, then printable filler drawn from a
   * generator seeded by author and k, bodyBytes in all. The filler is random, not one repeated
   * character, so that a system that compresses (Tandem's codec deflates strings) moves what a
   * chat message of this size would cost, not a run of 'x' squeezed to a few bytes.
   */
  static byte[] body(String author, int k, int bodyBytes) {
    byte[] b = new byte[bodyBytes];
    SplittableRandom filler = new SplittableRandom(((long) author.hashCode() << 32) ^ k);
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) ('!' + filler.nextInt('~' - '!' + 1));
    }
    byte[] key = String.format("%-16s", author + "#" + k).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(key, 0, b, 0, key.length);
    return b;
  }

  /**
   * Runs {@code system} in world (a) if {@code dropped}, else (b), with X a relay or a device.
   * Both oracles are taken: X as a device (direct) and X always online (relay).
   */
  static Outcome run(SyncSystem system, boolean dropped, boolean relay, Setting s) {
    World world = dropped ? dropped(s) : windows(s, relay);
    Oracle direct = new Oracle(dropped ? world : windows(s, false), NODES);
    Oracle viaRelay = new Oracle(dropped ? world : windows(s, true), NODES);
    SimulatedNetwork net = new SimulatedNetwork(s.seed());
    long t0 = net.now();
    List<String> devices = devices(relay);
    int each = s.messagesEach();
    long[][] created = new long[PHONES.size()][each];
    Map<String, Long> arrived = new HashMap<>();
    Map<String, Long> lost = new HashMap<>();
    int[] missing = {each * PHONES.size() * (devices.size() - 1)};
    SyncSystem.Deliveries deliveries = (author, k, node) -> {
      if (devices.contains(node)
          && arrived.putIfAbsent(author + k + "@" + node, net.now()) == null) {
        missing[0]--;
      }
    };
    try (system) {
      system.start(net, NODES, n -> new WireTransport(n, net, lost), s.seed(),
          deliveries);
      world.apply(net, s.horizon());
      for (int k = 0; k < each; k++) {
        int msg = k;
        for (int p = 0; p < PHONES.size(); p++) {
          int phone = p;
          long at = k * WRITE_INTERVAL_MILLIS + WRITE_PHASE_MILLIS;
          net.scheduler().schedule(at, () -> {
            created[phone][msg] = net.now();
            system.write(PHONES.get(phone), msg, body(PHONES.get(phone), msg, s.bodyBytes()));
          });
        }
      }
      net.runUntil(t0 + s.writeMillis());
      while (missing[0] > 0 && net.now() < t0 + s.horizon()) {
        net.runFor(Mvds.EPOCH_MILLIS);
      }
      NetworkStats stats = net.stats();
      Map<String, Long> wire = new HashMap<>(lost);
      stats.byLink().forEach((link, t) -> wire.merge(link.toString(), t.bytes(), Long::sum));
      double[] latency = new double[2 * each];
      double[] directFloor = new double[2 * each];
      double[] relayFloor = new double[2 * each];
      for (int p = 0; p < PHONES.size(); p++) {
        String author = PHONES.get(p);
        String other = PHONES.get(1 - p);
        for (int k = 0; k < each; k++) {
          Long at = arrived.get(author + k + "@" + other);
          latency[p * each + k] = at == null ? Double.POSITIVE_INFINITY
              : (at - created[p][k]) / 1000.0;
          directFloor[p * each + k] = seconds(direct.arrival(author, created[p][k], other),
              created[p][k]);
          relayFloor[p * each + k] = seconds(viaRelay.arrival(author, created[p][k], other),
              created[p][k]);
        }
      }
      Map<String, Long> byKind = new TreeMap<>();
      stats.byKind().forEach((kind, t) -> byKind.put(kind, t.bytes()));
      return new Outcome(system.name(), world.name(), relay, s.bodyBytes(), each, devices,
          arrived, wire, latency, directFloor, relayFloor, (net.now() - t0) / 1000.0, byKind);
    }
  }

  private static double seconds(long arrival, long written) {
    return arrival == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : (arrival - written) / 1000.0;
  }
}
