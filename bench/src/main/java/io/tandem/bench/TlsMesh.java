package io.tandem.bench;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.PeerStatus;
import io.tandem.replication.Replica;
import io.tandem.replication.ReplicaConfig;
import io.tandem.replication.protocol.SessionConfig;
import io.tandem.storage.h2.Durability;
import io.tandem.storage.h2.H2ReplicaStore;
import io.tandem.transport.vertx.Backoff;
import io.tandem.transport.vertx.ChannelSecurity;
import io.tandem.transport.vertx.DeviceIdentity;
import io.tandem.transport.vertx.Discovery;
import io.tandem.transport.vertx.IdentityException;
import io.tandem.transport.vertx.PairedDevice;
import io.tandem.transport.vertx.PeerAddress;
import io.tandem.transport.vertx.TlsSetup;
import io.tandem.transport.vertx.TrustedDevices;
import io.tandem.transport.vertx.VertxTransport;
import io.tandem.transport.vertx.VertxTransportOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Three devices (phone, tablet, PC) in one JVM, as they run for real: each with an H2 store in a
 * directory of its own, a device key pair, the other two devices' keys pinned, and a
 * {@link VertxTransport} on a Vert.x of its own speaking TLS 1.3 on 127.0.0.1. Every pair is
 * connected: the tablet dials the PC, the phone dials both.
 */
final class TlsMesh implements AutoCloseable {

  static final List<String> DEVICES = List.of("phone", "tablet", "pc");
  /** Where the devices' directories go (default: the JVM's temporary directory). */
  static final String BASE_PROPERTY = "tandem.part2.dir";
  /**
   * A diagnostic: the sessions' least resend delay in milliseconds (default the protocol's),
   * to show how much of the load resends of unacknowledged deltas add.
   */
  static final String RESEND_PROPERTY = "tandem.part2.resendMillis";
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(60);

  /** In {@link #DEVICES} order. */
  final List<Replica> replicas = new ArrayList<>();
  final List<VertxTransport> transports = new ArrayList<>();
  private final Path dir;

  private TlsMesh(Path dir) {
    this.dir = dir;
  }

  /**
   * Opens the three devices under a new temporary directory (in {@value #BASE_PROPERTY} if set)
   * and waits until all are linked.
   */
  static TlsMesh open(Durability durability, PrintStream log) {
    TlsMesh mesh;
    try {
      Path base = base();
      mesh = new TlsMesh(Files.createTempDirectory(base, "tandem-bench-part2-"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      mesh.start(durability, log);
      return mesh;
    } catch (RuntimeException | IdentityException | IOException e) {
      mesh.close();
      throw new IllegalStateException("could not open the three devices: " + e, e);
    }
  }

  /** The directory the devices' directories go in. */
  static Path base() {
    return Path.of(System.getProperty(BASE_PROPERTY, System.getProperty("java.io.tmpdir")));
  }

  /** The file system type of {@link #base()} ("ext4", "tmpfs"), or "?" if it cannot be told. */
  static String baseFileSystem() {
    try {
      return Files.getFileStore(base()).type();
    } catch (IOException e) {
      return "?";
    }
  }

  private void start(Durability durability, PrintStream log)
      throws IdentityException, IOException {
    List<DeviceIdentity> identities = new ArrayList<>();
    List<TrustedDevices> trust = new ArrayList<>();
    for (String name : DEVICES) {
      Path keys = Files.createDirectories(dir.resolve(name).resolve("keys"));
      identities.add(DeviceIdentity.loadOrCreate(keys, name));
      trust.add(TrustedDevices.open(keys));
    }
    // Pairing, done: each device pins the other two keys (the pairing exchange is the
    // transport's to test; here the devices are already paired, as after first use).
    for (int i = 0; i < DEVICES.size(); i++) {
      for (int j = 0; j < DEVICES.size(); j++) {
        if (i != j) {
          DeviceIdentity other = identities.get(j);
          trust.get(i).pin(new PairedDevice(other.fingerprint(), other.name(), Instant.now()));
        }
      }
    }
    // The PC first, then the tablet dialing it, then the phone dialing both: a listener's port
    // is known once its replica has started the transport.
    List<PeerAddress> listening = new ArrayList<>();
    for (int i = DEVICES.size() - 1; i >= 0; i--) {
      String name = DEVICES.get(i);
      TlsSetup tls = new TlsSetup(identities.get(i), trust.get(i),
          r -> log.println("part 2: " + name + " refused " + r));
      VertxTransport t = new VertxTransport(VertxTransportOptions.defaults()
          .withListen("127.0.0.1", 0).withPeers(List.copyOf(listening))
          .withBackoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(500)))
          .withDiscovery(Discovery.Options.OFF), ChannelSecurity.tls(tls));
      H2ReplicaStore store = H2ReplicaStore.open(dir.resolve(name).resolve("store"), durability);
      Replica r;
      try {
        r = Replica.builder().store(store).transport(t).config(config()).build();
      } catch (RuntimeException e) {
        t.close();
        store.close();
        throw e;
      }
      replicas.add(0, r);
      transports.add(0, t);
      listening.add(new PeerAddress("127.0.0.1", t.port()));
    }
    await("every device linked to both others", this::fullyLinked, CONNECT_TIMEOUT);
  }

  /** The default replica configuration, or one with the resend delay of the diagnostic property. */
  static ReplicaConfig config() {
    String resend = System.getProperty(RESEND_PROPERTY);
    if (resend == null) {
      return ReplicaConfig.DEFAULT;
    }
    long min = Long.parseLong(resend);
    SessionConfig session = ReplicaConfig.DEFAULT.session();
    return ReplicaConfig.DEFAULT.withSession(session.withBackoff(min,
        Math.max(min, session.maxBackoffMillis())));
  }

  private boolean fullyLinked() {
    for (Replica r : replicas) {
      long linked = r.peers().values().stream().filter(PeerStatus::connected).count();
      if (linked < DEVICES.size() - 1) {
        return false;
      }
    }
    return true;
  }

  ReplicaId id(int device) {
    return replicas.get(device).id();
  }

  /**
   * How many writes every device holds: per origin, the least any device holds of its feed. A
   * device holds a record only once it is stored and applied, so these are durable everywhere.
   */
  long everywhere() {
    List<VersionVector> vectors = new ArrayList<>();
    for (Replica r : replicas) {
      vectors.add(r.vector());
    }
    long n = 0;
    for (Replica origin : replicas) {
      long least = Long.MAX_VALUE;
      for (VersionVector v : vectors) {
        least = Math.min(least, v.get(origin.id()));
      }
      n += least;
    }
    return n;
  }

  /**
   * How many records the devices hold between them, of the devices' own feeds: a write is
   * replicated once each device holds it, so this grows by the number of devices per write.
   */
  long held() {
    long n = 0;
    for (Replica r : replicas) {
      VersionVector v = r.vector();
      for (Replica origin : replicas) {
        n += v.get(origin.id());
      }
    }
    return n;
  }

  /** Each device's vector, metrics and peers, for a report of a drain that did not end. */
  String describe() {
    StringBuilder b = new StringBuilder();
    for (Replica r : replicas) {
      b.append("\n  ").append(r.id()).append(": vector ").append(r.vector()).append(", ")
          .append(r.metrics()).append(", peers ").append(r.peers());
    }
    return b.toString();
  }

  /**
   * Polls {@code condition} every 10 ms until it holds; fails after {@code timeout}. Polling every
   * millisecond cost the main thread 15 % of the process's CPU samples in a part 2 run at 10,000
   * writes/s (mostly system time: a timer per sleep on this VM), taken from the run it waits for.
   */
  static void await(String what, java.util.function.BooleanSupplier condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + timeout + " waiting until " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting until " + what, e);
      }
    }
  }

  /** Closes the replicas (with their transports and stores) and deletes the directory. */
  @Override
  public void close() {
    for (Replica r : replicas) {
      try {
        r.close();
      } catch (RuntimeException e) {
        System.err.println("part 2: closing " + r + " failed: " + e);
      }
    }
    delete(dir);
  }

  /** Deletes {@code dir} and everything in it, as far as it can. */
  static void delete(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("part 2: could not delete " + dir + ": " + e);
    }
  }
}
