package io.tandem.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Phone, tablet and PC in three JVMs on 127.0.0.1, each on an H2 file and TLS with the others'
 * keys pinned, write concurrently while a proxy between every pair cuts and restores their
 * connections at random. The tablet is killed with SIGKILL mid-sync and restarted. Afterwards all
 * three hold the same notes and vector, and every write any of them acknowledged is in it.
 */
class ThreeProcessTest {

  private static final int WRITES = Integer.getInteger("tandem.threeProcessWrites", 200);
  private static final long SEED = Long.getLong("tandem.seed", System.nanoTime());

  @TempDir
  Path dir;
  /** Per device name, the highest write it ever acknowledged, across its restarts. */
  private final Map<String, AtomicLong> ackedEver = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicInteger cuts =
      new java.util.concurrent.atomic.AtomicInteger();

  @Test
  void threeDevicesConvergeThroughCutsAndAKillWithoutLosingAnAcknowledgedWrite()
      throws Exception {
    String[] names = {"phone", "tablet", "pc"};
    TestDevice[] devices = new TestDevice[3];
    int[] ports = new int[3];
    for (int i = 0; i < 3; i++) {
      devices[i] = new TestDevice(dir.resolve(names[i]), names[i]);
      ports[i] = freePort();
    }
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        if (i != j) {
          devices[i].pin(devices[j]);
        }
      }
    }
    // Device i dials every j > i through a proxy of its own.
    List<TcpProxy> proxies = new ArrayList<>();
    List<List<Integer>> dials = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      dials.add(new ArrayList<>());
    }
    for (int i = 0; i < 3; i++) {
      for (int j = i + 1; j < 3; j++) {
        int upstream = ports[j];
        TcpProxy p = new TcpProxy(() -> upstream);
        proxies.add(p);
        dials.get(i).add(p.port());
      }
    }
    Device[] running = new Device[3];
    AtomicBoolean chaos = new AtomicBoolean(true);
    Thread chaosMonkey = new Thread(() -> cutAtRandom(proxies, chaos), "chaos");
    try {
      for (int i = 0; i < 3; i++) {
        running[i] = new Device(names[i], dir.resolve(names[i]), ports[i], dials.get(i), WRITES);
      }
      chaosMonkey.start();
      Loopback.await("the tablet acknowledged a third of its writes",
          () -> running[1].acked.get() >= WRITES / 3, Duration.ofSeconds(120));
      long ackedBeforeKill = running[1].kill();
      String tabletId = running[1].id;
      running[1] = new Device(names[1], dir.resolve(names[1]), ports[1], dials.get(1),
          WRITES / 4);
      Loopback.await("every device finished writing",
          () -> running[0].done && running[1].done && running[2].done, Duration.ofSeconds(180));
      chaos.set(false);
      chaosMonkey.join();
      proxies.forEach(TcpProxy::restore);

      Loopback.await("three equal states holding every acknowledged write", () -> {
        String s0 = running[0].state;
        return s0 != null && s0.equals(running[1].state) && s0.equals(running[2].state)
            && holdsAcked(s0, running);
      }, Duration.ofSeconds(120));

      assertThat(running[1].id).as("the tablet reopened its own store").isEqualTo(tabletId);
      assertThat(counterOf(running[0].state, tabletId)).as("tablet writes acknowledged before"
          + " the kill and after (seed %d)", SEED)
          .isGreaterThanOrEqualTo(ackedBeforeKill + WRITES / 4);
      assertThat(cuts.get()).as("connections cut while writing").isPositive();
      System.out.printf("three processes: seed %d; %d cuts; tablet killed after %d acknowledged"
          + " writes; converged on %s%n", SEED, cuts.get(), ackedBeforeKill, running[0].state);
    } finally {
      chaos.set(false);
      for (Device d : running) {
        if (d != null) {
          d.kill();
        }
      }
      proxies.forEach(TcpProxy::close);
    }
  }

  private void cutAtRandom(List<TcpProxy> proxies, AtomicBoolean on) {
    Random r = new Random(SEED);
    while (on.get()) {
      TcpProxy p = proxies.get(r.nextInt(proxies.size()));
      p.cut();
      cuts.incrementAndGet();
      pause(50 + r.nextInt(400));
      p.restore();
      pause(100 + r.nextInt(400));
    }
  }

  private static void pause(long millis) {
    // The chaos thread's rhythm; no test outcome waits on it.
    java.util.concurrent.locks.LockSupport.parkNanos(millis * 1_000_000);
  }

  private static boolean holdsAcked(String state, Device[] devices) {
    for (Device d : devices) {
      if (d.id == null || counterOf(state, d.id) < d.maxAckedEver()) {
        return false;
      }
    }
    return true;
  }

  /** The counter of {@code id} in a printed vector ("{a=3,_b=5}" style), or 0. */
  private static long counterOf(String state, String id) {
    int at = state.indexOf(id + "=");
    if (at < 0) {
      return 0;
    }
    int from = at + id.length() + 1;
    int to = from;
    while (to < state.length() && Character.isDigit(state.charAt(to))) {
      to++;
    }
    return Long.parseLong(state.substring(from, to));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** One running child JVM and what it printed. */
  private final class Device {
    final Process process;
    final String name;
    final AtomicLong acked = new AtomicLong();
    volatile String id;
    volatile boolean done;
    volatile String state;

    Device(String name, Path data, int port, List<Integer> peers, int writes)
        throws IOException {
      this.name = name;
      StringBuilder peerList = new StringBuilder();
      peers.forEach(p -> peerList.append(p).append(','));
      process = ChildJvm.start(DeviceProcess.class, dir.resolve(name + "-"
          + System.nanoTime() + ".err"), name, data.toString(), Integer.toString(port),
          peerList.toString(), Integer.toString(writes));
      Thread reader = new Thread(this::read, name + "-stdout");
      reader.setDaemon(true);
      reader.start();
    }

    private void read() {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(
          process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.startsWith("ID ")) {
            id = line.substring(3);
          } else if (line.startsWith("ACK ")) {
            long seq = Long.parseLong(line.substring(4));
            acked.set(seq);
            ackedEver.computeIfAbsent(name, k -> new AtomicLong()).accumulateAndGet(seq,
                Math::max);
          } else if (line.equals("DONE")) {
            done = true;
          } else if (line.startsWith("STATE ")) {
            state = line.substring(6);
          }
        }
      } catch (IOException gone) {
        // killed
      }
    }

    long maxAckedEver() {
      AtomicLong a = ackedEver.get(name);
      return a == null ? 0 : a.get();
    }

    /** SIGKILL; returns the last write it acknowledged. */
    long kill() throws InterruptedException {
      process.destroyForcibly().waitFor();
      return acked.get();
    }
  }
}
