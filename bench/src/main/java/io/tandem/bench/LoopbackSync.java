package io.tandem.bench;

import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import io.tandem.replication.Replica;
import io.tandem.storage.h2.H2ReplicaStore;
import io.tandem.transport.vertx.Backoff;
import io.tandem.transport.vertx.ChannelSecurity;
import io.tandem.transport.vertx.DeviceIdentity;
import io.tandem.transport.vertx.Discovery;
import io.tandem.transport.vertx.PairedDevice;
import io.tandem.transport.vertx.PeerAddress;
import io.tandem.transport.vertx.TlsSetup;
import io.tandem.transport.vertx.TrustedDevices;
import io.tandem.transport.vertx.VertxTransport;
import io.tandem.transport.vertx.VertxTransportOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loopback throughput of three replicas (phone, tablet, PC) in one JVM on 127.0.0.1, each on an
 * H2 file, fully meshed over VertxTransport: TLS 1.3 with pinned keys beside plain TCP. Each
 * replica writes {@code ops} notes from its own thread at once; the run ends when every note is
 * visible on all three. Prints replicated ops/s (all writes over the time until all are visible
 * everywhere) and, per write, the time from the write returning to it being visible on the last
 * of the other two replicas (p50, p99).
 *
 * <p>{@code java -cp bench/target/benchmarks.jar io.tandem.bench.LoopbackSync [ops] [rounds]}
 */
public final class LoopbackSync {

  private static final String[] NAMES = {"phone", "tablet", "pc"};

  public static void main(String[] args) throws Exception {
    int ops = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    System.out.printf("%-10s %6s %10s %10s %10s%n", "security", "ops", "ops/s", "p50 ms",
        "p99 ms");
    for (int r = 0; r < rounds; r++) {
      for (boolean tls : new boolean[] {true, false}) {
        double[] result = run(ops, tls);
        System.out.printf("%-10s %6d %10.0f %10.2f %10.2f%n", tls ? "TLS 1.3" : "plain TCP",
            3 * ops, result[0], result[1], result[2]);
      }
    }
  }

  /** Returns ops/s, p50 ms, p99 ms. */
  static double[] run(int ops, boolean tls) throws Exception {
    Path root = Files.createTempDirectory("tandem-loopback");
    List<Replica> replicas = new ArrayList<>();
    List<VertxTransport> transports = new ArrayList<>();
    try {
      ChannelSecurity[] security = security(root, tls);
      int[] ports = new int[3];
      for (int i = 0; i < 3; i++) {
        List<PeerAddress> peers = new ArrayList<>();
        for (int j = 0; j < i; j++) {
          peers.add(new PeerAddress("127.0.0.1", ports[j]));
        }
        VertxTransport t = new VertxTransport(VertxTransportOptions.defaults()
            .withListen("127.0.0.1", 0).withPeers(peers)
            .withBackoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200)))
            .withDiscovery(Discovery.Options.OFF), security[i]);
        transports.add(t);
        replicas.add(Replica.builder().store(H2ReplicaStore.open(root.resolve(NAMES[i])))
            .transport(t).build());
        ports[i] = t.port();
      }
      // When each write returned, and when each replica first saw it.
      Map<String, Long> written = new ConcurrentHashMap<>();
      Map<String, long[]> seen = new ConcurrentHashMap<>();
      for (int i = 0; i < 3; i++) {
        int me = i;
        replicas.get(i).addListener(c -> {
          if (!c.local()) {
            long now = System.nanoTime();
            seen.computeIfAbsent(c.origin() + "#" + c.seq(), k -> new long[3])[me] = now;
          }
        });
      }
      long start = System.nanoTime();
      List<Thread> writers = new ArrayList<>();
      for (Replica replica : replicas) {
        Thread w = new Thread(() -> {
          ReplicaId id = replica.id();
          for (int n = 0; n < ops; n++) {
            String note = id + "-" + n;
            long seq = replica.update("notes", OrSet.<String>empty(),
                (s, c) -> s.add(c.replica(), note)).dot().counter();
            written.put(id + "#" + seq, System.nanoTime());
          }
        });
        writers.add(w);
        w.start();
      }
      for (Thread w : writers) {
        w.join();
      }
      TlsMesh.await("every replica holds every write", () -> allSeeEverything(replicas, ops),
          Duration.ofMinutes(5));
      long end = System.nanoTime();
      double[] latencies = new double[written.size()];
      int k = 0;
      for (Map.Entry<String, Long> e : written.entrySet()) {
        long[] at = seen.get(e.getKey());
        long last = 0;
        for (long t : at) {
          last = Math.max(last, t);
        }
        latencies[k++] = (last - e.getValue()) / 1e6;
      }
      Arrays.sort(latencies);
      return new double[] {3.0 * ops / ((end - start) / 1e9),
          latencies[latencies.length / 2], latencies[(int) (latencies.length * 0.99)]};
    } finally {
      replicas.forEach(Replica::close);
    }
  }

  private static boolean allSeeEverything(List<Replica> replicas, int ops) {
    for (Replica r : replicas) {
      for (Replica origin : replicas) {
        if (r.vector().get(origin.id()) < ops) {
          return false;
        }
      }
    }
    return true;
  }

  private static ChannelSecurity[] security(Path root, boolean tls) throws Exception {
    ChannelSecurity[] out = new ChannelSecurity[3];
    if (!tls) {
      for (int i = 0; i < 3; i++) {
        out[i] = ChannelSecurity.plainTcpForLoopbackTests(NAMES[i]);
      }
      return out;
    }
    DeviceIdentity[] ids = new DeviceIdentity[3];
    TrustedDevices[] trusted = new TrustedDevices[3];
    for (int i = 0; i < 3; i++) {
      Path dir = root.resolve(NAMES[i]);
      Files.createDirectories(dir);
      ids[i] = DeviceIdentity.loadOrCreate(dir, NAMES[i]);
      trusted[i] = TrustedDevices.open(dir);
    }
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        if (i != j) {
          trusted[i].pin(new PairedDevice(ids[j].fingerprint(), NAMES[j], Instant.now()));
        }
      }
      out[i] = ChannelSecurity.tls(new TlsSetup(ids[i], trusted[i], r -> { }));
    }
    return out;
  }

  private LoopbackSync() {}
}
