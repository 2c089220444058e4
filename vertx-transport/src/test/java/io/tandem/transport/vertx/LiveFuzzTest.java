package io.tandem.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.GCounter;
import io.tandem.crdt.Hlc;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.replication.Replica;
import io.tandem.replication.ReplicaState;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.memory.InMemoryReplicaStore;
import io.tandem.replication.protocol.Message;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the frame decoder and the sync protocol of a live victim over real sockets on
 * 127.0.0.1: connection after connection sends the preamble, a valid hello and a batch of
 * hostile items (see {@link FuzzFrames}), until the victim has taken in at least
 * {@code tandem.fuzzFrames} (default 100,000) of them, counted on the victim's side. The victim
 * never lets an exception escape, its heap after GC stays within 16 MiB of where it began, its
 * state (vector, encoded objects, feeds) never changes, and it still syncs with an honest peer.
 */
class LiveFuzzTest {

  /** How many hostile items the victim must take in. */
  protected int frames() {
    return Integer.getInteger("tandem.fuzzFrames", 100_000);
  }

  /** The victim's channel security. */
  protected ChannelSecurity victimSecurity() throws Exception {
    return Loopback.plain("victim");
  }

  /** The attacker's client options: what it needs to get past the handshake. */
  protected NetClientOptions attackerOptions() {
    return new NetClientOptions();
  }

  /** The channel security of the honest peer that syncs with the victim afterwards. */
  protected ChannelSecurity friendSecurity() throws Exception {
    return Loopback.plain("friend");
  }

  /** How the victim's metrics name the attacker. */
  protected String attackerName() {
    return "tcp:127.0.0.1";
  }

  private static final long SEED = Long.getLong("tandem.seed", System.nanoTime());
  private static final int BATCH = 8;
  private static final int LANES = 12;
  private static final ReplicaId MALLORY = ReplicaId.of(0x3a11);
  private static final List<String> HOSTILE = List.of("count-lies.bin", "count-overflow.bin",
      "replica-table-overflow.bin", "frame-length-overflow.bin", "varint-overflow.bin",
      "varint-too-long.bin", "ref-out-of-range.bin", "self-dependency.bin", "unknown-type.bin",
      "trailing-bytes.bin", "bad-utf8-object-name.bin", "zero-replica-id.bin");

  private final Queue<Throwable> unhandled = new ConcurrentLinkedQueue<>();
  private Vertx victimVertx;
  private Vertx attackerVertx;
  private InMemoryReplicaStore store;
  private VertxTransport transport;
  private Replica victim;
  private DeltaRecord malloryFirst;
  private ReplicaState before;

  @BeforeEach
  void setUp() throws Exception {
    victimVertx = Vertx.vertx();
    victimVertx.exceptionHandler(unhandled::add);
    attackerVertx = Vertx.vertx();
    store = new InMemoryReplicaStore();
    transport = new VertxTransport(victimVertx, Loopback.options().withMaxConnections(16),
        victimSecurity());
    victim = Replica.builder().store(store).transport(transport).build();
    victim.update("likes", GCounter.empty(), (c, w) -> c.increment(w.replica(), 3));
    victim.update("tags", OrSet.<String>empty(), (s, w) -> s.add(w.replica(), "work"));
    // An honest first session gives the victim one record of Mallory's, so replays have a target.
    malloryFirst = new DeltaRecord(MALLORY, 1, VersionVector.empty(),
        new Hlc(System.currentTimeMillis(), 0, MALLORY), "notes",
        BinaryCodec.encode(LwwRegister.<String>empty().assign(
            new Hlc(System.currentTimeMillis(), 0, MALLORY), "hi")));
    byte[] deltas = RawPeer.bytes(io.tandem.replication.protocol.MessageCodec.encode(
        new Message.Deltas(List.of(malloryFirst))));
    byte[] honest = FuzzFrames.concat(List.of(FrameDecoder.PREAMBLE, hello(),
        java.nio.ByteBuffer.allocate(4 + deltas.length).putInt(deltas.length).put(deltas)
            .array()));
    AtomicBoolean once = new AtomicBoolean();
    Promise<Void> sent = Promise.promise();
    attack(client(), () -> honest, once, sent);
    once.set(true);
    Loopback.await("Mallory's first record lands", () -> victim.vector().get(MALLORY) == 1,
        Duration.ofSeconds(10));
    before = ReplicaState.of(victim, store);
  }

  @AfterEach
  void tearDown() throws Exception {
    victim.close();
    attackerVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    victimVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void fuzzedFramesOnLiveConnectionsNeverCrashTheVictimGrowItsHeapOrChangeItsState()
      throws Exception {
    List<byte[]> hostile = new ArrayList<>();
    for (String f : HOSTILE) {
      hostile.add(HostileConnectionTest.resource("hostile/" + f));
    }
    VersionVector holds = victim.vector();
    List<Message> valid = List.of(
        new Message.Summary(holds),
        new Message.Ack(holds),
        new Message.Offer(List.of(new Message.Range(MALLORY, 1, 1))),
        new Message.Request(List.of(new Message.Range(victim.id(), 1, 2))),
        new Message.Hello(Message.VERSION, MALLORY, true, true),
        new Message.Deltas(List.of(malloryFirst)));
    FuzzFrames fuzz = new FuzzFrames(SEED, valid, hostile, holds,
        VertxTransportOptions.DEFAULT_MAX_FRAME_BYTES);
    int[] mix = new int[FuzzFrames.Kind.values().length];
    long baseline = usedHeapAfterGc();
    long maxGrowth = 0;
    Logger quiet = Logger.getLogger("io.tandem");
    Level level = quiet.getLevel();
    // Every refused frame is logged; a hundred thousand warnings would only slow the run.
    quiet.setLevel(Level.SEVERE);
    try {
      NetClient client = client();
      AtomicBoolean stop = new AtomicBoolean();
      List<Promise<Void>> lanes = new ArrayList<>();
      for (int lane = 0; lane < LANES; lane++) {
        Promise<Void> done = Promise.promise();
        lanes.add(done);
        attack(client, () -> batch(fuzz, mix), stop, done);
      }
      long nextHeapCheck = frames() / 5;
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      while (taken() < frames()) {
        assertThat(System.nanoTime()).as("fuzz finished in time, %d taken", taken())
            .isLessThan(deadline);
        for (Promise<Void> p : lanes) {
          if (p.future().failed()) {
            throw new AssertionError("an attacker lane failed", p.future().cause());
          }
        }
        if (taken() >= nextHeapCheck) {
          maxGrowth = Math.max(maxGrowth, usedHeapAfterGc() - baseline);
          nextHeapCheck += frames() / 5;
        }
        Thread.sleep(20);
      }
      stop.set(true);
      for (Promise<Void> p : lanes) {
        p.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      Loopback.await("every attacker connection is closed",
          () -> transport.metrics().openConnections() == 0, Duration.ofSeconds(10));
    } finally {
      quiet.setLevel(level);
    }
    maxGrowth = Math.max(maxGrowth, usedHeapAfterGc() - baseline);
    System.out.printf(getClass().getSimpleName() + ": seed %d, %d items taken in by the victim (generated: %d"
        + " mutated, %d random, %d crafted), %d connections, %d refused at the length, heap"
        + " growth after GC at most %d KiB%n", SEED, taken(), mix[0], mix[1], mix[2],
        fromAttacker().connections(), fromAttacker().refusals(RefusalReason.FRAME_TOO_LARGE),
        maxGrowth >> 10);

    assertThat(unhandled).as("exceptions that escaped to Vert.x").isEmpty();
    assertThat(maxGrowth).as("heap growth after GC (seed %d)", SEED).isLessThan(16L << 20);
    ReplicaState after = ReplicaState.of(victim, store);
    assertThat(after).as("victim state (seed %d)", SEED).isEqualTo(before.foldedAs(after));
    assertThat(fromAttacker().refusals(RefusalReason.PROTOCOL_VIOLATION)).isPositive();
    assertThat(fromAttacker().refusals(RefusalReason.FRAME_TOO_LARGE)).isPositive();
    assertStillSyncsWithAnHonestPeer();
  }

  private NetClient client() {
    return attackerVertx.createNetClient(attackerOptions().setTcpNoDelay(true));
  }

  /** Frames the victim read from the attacker, less one hello per connection, plus lengths refused. */
  private long taken() {
    PeerMetrics m = fromAttacker();
    return m.framesIn() - m.connections() + m.refusals(RefusalReason.FRAME_TOO_LARGE);
  }

  private PeerMetrics fromAttacker() {
    PeerMetrics m = transport.metrics().peers().get(attackerName());
    return m != null ? m : new PeerMetrics("none", 0, 0, 0, 0, 0, 0, java.util.Map.of(), null);
  }

  /** One attacker batch: the preamble, a valid hello, then {@link #BATCH} hostile items. */
  private static byte[] batch(FuzzFrames fuzz, int[] mix) {
    List<byte[]> batch = new ArrayList<>();
    batch.add(FrameDecoder.PREAMBLE);
    batch.add(hello());
    synchronized (fuzz) {
      for (int i = 0; i < BATCH; i++) {
        FuzzFrames.Item item = fuzz.next();
        mix[item.kind().ordinal()]++;
        batch.add(item.wire());
      }
    }
    try {
      return FuzzFrames.concat(batch);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * One lane: connects, writes a batch, hangs up (a batch may end harmless, or inside a lying
   * frame), and once the connection is closed starts over, until told to stop.
   */
  private void attack(NetClient client, java.util.function.Supplier<byte[]> batches,
      AtomicBoolean stop, Promise<Void> done) {
    if (stop.get()) {
      done.tryComplete();
      return;
    }
    byte[] wire = batches.get();
    client.connect(transport.port(), "127.0.0.1").onComplete(ar -> {
      if (ar.failed()) {
        done.tryFail(ar.cause());
        return;
      }
      NetSocket s = ar.result();
      s.handler(ignored -> { });
      s.exceptionHandler(e -> { });
      s.closeHandler(v -> attack(client, batches, stop, done));
      s.write(Buffer.buffer(wire)).onComplete(w -> s.end());
    });
  }

  private static byte[] hello() {
    byte[] body = RawPeer.bytes(io.tandem.replication.protocol.MessageCodec.encode(
        new Message.Hello(Message.VERSION, MALLORY, false, false)));
    return java.nio.ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
  }

  private void assertStillSyncsWithAnHonestPeer() throws Exception {
    InMemoryReplicaStore friendStore = new InMemoryReplicaStore();
    try (Replica friend = Replica.builder().store(friendStore).transport(new VertxTransport(
        Loopback.options().withPeers(List.of(new PeerAddress("127.0.0.1", transport.port()))),
        friendSecurity())).build()) {
      Loopback.await("the friend has the victim's state", () -> ReplicaState.of(friend,
          friendStore).withoutFeeds().equals(before.withoutFeeds()), Duration.ofSeconds(20));
    }
  }

  private static long usedHeapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    System.gc();
    System.gc();
    return rt.totalMemory() - rt.freeMemory();
  }
}
