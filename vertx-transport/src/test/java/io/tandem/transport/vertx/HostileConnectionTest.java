package io.tandem.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.GCounter;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import io.tandem.replication.Replica;
import io.tandem.replication.ReplicaState;
import io.tandem.replication.memory.InMemoryReplicaStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * A victim replica behind a VertxTransport, and clients on raw sockets that misbehave: each is
 * closed with its reason logged and counted, is sent nothing of the replica's before its
 * preamble, and leaves the replica's state as it was.
 */
class HostileConnectionTest {

  private static final Duration HELLO = Duration.ofMillis(300);
  private static final Duration IDLE = Duration.ofMillis(1000);
  /** Far above the timeouts: only a transport that never closes fails this. */
  private static final Duration CLOSED_WITHIN = Duration.ofSeconds(5);
  private static final int MAX_CONNECTIONS = 6;
  private static final ReplicaId MALLORY = ReplicaId.of(0x3a11);

  private InMemoryReplicaStore store;
  private VertxTransport transport;
  private Replica victim;
  private ReplicaState before;
  private LogCapture log;

  @BeforeEach
  void setUp() {
    log = new LogCapture(VertxTransport.class);
    store = new InMemoryReplicaStore();
    transport = new VertxTransport(Loopback.options().withTimeouts(HELLO, IDLE)
        .withMaxConnections(MAX_CONNECTIONS), Loopback.plain("victim"));
    victim = Replica.builder().store(store).transport(transport).build();
    victim.update("likes", GCounter.empty(), (c, w) -> c.increment(w.replica(), 3));
    victim.update("tags", OrSet.<String>empty(), (s, w) -> s.add(w.replica(), "work"));
    before = ReplicaState.of(victim, store);
  }

  @AfterEach
  void tearDown() {
    victim.close();
    log.close();
  }

  @Test
  void plainTcpClientSpeakingGarbageIsRefusedBeforeAnyReplicaByte() throws IOException {
    byte[] garbage = new byte[256];
    new Random(7).nextBytes(garbage);
    garbage[0] = 'G';
    byte[] heard;
    try (RawPeer mallory = new RawPeer(transport.port())) {
      mallory.raw(garbage);
      heard = mallory.readUntilClosed(CLOSED_WITHIN);
    }

    assertOnlyThePreambleWasSent(heard);
    assertRefused(RefusalReason.BAD_PREAMBLE, "not a Tandem connection");
    assertUnchanged();
  }

  @Test
  void preambleOfAnotherWireVersionIsRefused() throws IOException {
    byte[] preamble = FrameDecoder.PREAMBLE.clone();
    preamble[4] = 2;
    try (RawPeer mallory = new RawPeer(transport.port())) {
      assertOnlyThePreambleWasSent(mallory.raw(preamble).readUntilClosed(CLOSED_WITHIN));
    }

    assertRefused(RefusalReason.BAD_PREAMBLE, "unsupported wire version");
    assertUnchanged();
  }

  @Test
  void slowLorisThatSendsNothingIsClosedWithinTheHelloTimeout() throws IOException {
    try (RawPeer loris = new RawPeer(transport.port())) {
      assertOnlyThePreambleWasSent(loris.readUntilClosed(CLOSED_WITHIN));
    }

    assertRefused(RefusalReason.HELLO_TIMEOUT, "no preamble within 300 ms");
    assertUnchanged();
  }

  @Test
  void slowLorisThatStopsAfterThePreambleIsClosedWithinTheIdleTimeout() throws IOException {
    try (RawPeer loris = new RawPeer(transport.port())) {
      loris.preamble().readUntilClosed(CLOSED_WITHIN);
    }

    assertRefused(RefusalReason.IDLE_TIMEOUT, "nothing read for");
    assertUnchanged();
  }

  @Test
  void connectionsAboveTheBoundAreRefusedAtOnce() throws IOException {
    List<RawPeer> lorises = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_CONNECTIONS; i++) {
        lorises.add(new RawPeer(transport.port()));
      }
      Loopback.await("all are open", () -> transport.metrics().openConnections()
          == MAX_CONNECTIONS, CLOSED_WITHIN);
      try (RawPeer oneTooMany = new RawPeer(transport.port())) {
        assertThat(oneTooMany.readUntilClosed(CLOSED_WITHIN)).isEmpty();
      }
      assertThat(transport.metrics().openConnections()).isLessThanOrEqualTo(MAX_CONNECTIONS);
      assertRefused(RefusalReason.TOO_MANY_CONNECTIONS, MAX_CONNECTIONS + " open");
    } finally {
      for (RawPeer p : lorises) {
        p.close();
      }
    }
    assertUnchanged();
  }

  @ParameterizedTest(name = "length {0}")
  @ValueSource(ints = {0x7fff_ffff, -1, (4 << 20) + 1})
  void lengthAboveTheMaximumIsRefusedAtTheLengthBeforeAnyBodyByte(int length)
      throws IOException {
    long usedBefore = usedHeapAfterGc();
    try (RawPeer mallory = new RawPeer(transport.port())) {
      mallory.preamble().hello(MALLORY).raw(ByteBuffer.allocate(4).putInt(length).array());
      mallory.readUntilClosed(CLOSED_WITHIN);
    }

    // Refused at the length, not later for a body that never came.
    assertRefused(RefusalReason.FRAME_TOO_LARGE, "frame length " + Integer.toUnsignedString(length)
        + " above the maximum " + VertxTransportOptions.DEFAULT_MAX_FRAME_BYTES);
    assertThat(transport.metrics().refusals(RefusalReason.INCOMPLETE_FRAME)).isZero();
    assertThat(usedHeapAfterGc() - usedBefore).as("heap taken for the claimed frame")
        .isLessThan(4 << 20);
    assertUnchanged();
  }

  @Test
  void lengthAboveTheBytesThatFollowIsClosedWhenTheBodyStalls() throws Exception {
    try (RawPeer mallory = new RawPeer(transport.port())) {
      mallory.preamble().hello(MALLORY).raw(ByteBuffer.allocate(14).putInt(1000).array());
      // A byte now and then keeps the connection from idling out; the frame never completes.
      Thread trickle = new Thread(() -> {
        try {
          for (int i = 0; i < 100; i++) {
            mallory.raw(new byte[] {1});
            Thread.sleep(IDLE.toMillis() / 5);
          }
        } catch (IOException | InterruptedException closed) {
          // the victim hung up, as it should
        }
      });
      trickle.setDaemon(true);
      trickle.start();
      mallory.readUntilClosed(CLOSED_WITHIN);
      trickle.interrupt();
    }

    assertRefused(RefusalReason.INCOMPLETE_FRAME, "a frame body still incomplete");
    assertUnchanged();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"count-lies.bin", "count-overflow.bin", "replica-table-overflow.bin",
      "frame-length-overflow.bin", "varint-overflow.bin", "self-dependency.bin"})
  void countsAboveTheBytesThatFollowCloseTheSession(String file) throws IOException {
    byte[] lying = resource("hostile/" + file);
    try (RawPeer mallory = new RawPeer(transport.port())) {
      mallory.preamble().hello(MALLORY).frame(lying).readUntilClosed(CLOSED_WITHIN);
    }

    assertRefused(RefusalReason.PROTOCOL_VIOLATION, "");
    assertUnchanged();
  }

  @Test
  void honestPeerStillSyncsAfterTheAttacks() throws Exception {
    slowLorisThatSendsNothingIsClosedWithinTheHelloTimeout();
    plainTcpClientSpeakingGarbageIsRefusedBeforeAnyReplicaByte();
    InMemoryReplicaStore friendStore = new InMemoryReplicaStore();
    try (Replica friend = Replica.builder().store(friendStore).transport(new VertxTransport(
        Loopback.options().withPeers(List.of(new PeerAddress("127.0.0.1", transport.port()))),
        Loopback.plain("friend"))).build()) {
      Loopback.await("the friend has the victim's state", () -> ReplicaState.of(friend,
          friendStore).withoutFeeds().equals(before.withoutFeeds()), CLOSED_WITHIN);
    }
  }

  private void assertOnlyThePreambleWasSent(byte[] heard) {
    assertThat(heard).as("bytes the victim sent before refusing").isEqualTo(
        Arrays.copyOf(FrameDecoder.PREAMBLE, Math.min(heard.length, FrameDecoder.PREAMBLE.length)));
  }

  private void assertRefused(RefusalReason reason, String detail) {
    Loopback.await(reason + " counted", () -> transport.metrics().refusals(reason) == 1,
        CLOSED_WITHIN);
    assertThat(log.lines()).anySatisfy(line -> assertThat(line).contains(reason.toString())
        .contains(detail));
  }

  private void assertUnchanged() {
    ReplicaState after = ReplicaState.of(victim, store);
    assertThat(after).isEqualTo(before.foldedAs(after));
  }

  private static long usedHeapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    System.gc();
    return rt.totalMemory() - rt.freeMemory();
  }

  static byte[] resource(String name) throws IOException {
    try (InputStream in = HostileConnectionTest.class.getClassLoader()
        .getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("no resource " + name);
      }
      return in.readAllBytes();
    }
  }
}
