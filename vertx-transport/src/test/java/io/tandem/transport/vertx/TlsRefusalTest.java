package io.tandem.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.GCounter;
import io.tandem.replication.Replica;
import io.tandem.replication.ReplicaState;
import io.tandem.replication.memory.InMemoryReplicaStore;
import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.PeerListener;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A victim replica behind a TLS transport. Unpaired and revoked devices, plain TCP, garbage, a
 * TLS client without a certificate and a silent connection are refused during the handshake:
 * each refusal is counted with its reason and logged, the intruder never sees the preamble or a
 * replica byte, and the victim's state is unchanged. A paired device still syncs.
 */
class TlsRefusalTest {

  private static final Duration HELLO = Duration.ofMillis(1500);
  private static final Duration WITHIN = Duration.ofSeconds(15);

  @TempDir
  Path dir;
  private TestDevice victimDevice;
  private TestDevice phone;
  private InMemoryReplicaStore store;
  private VertxTransport transport;
  private Replica victim;
  private ReplicaState before;
  private LogCapture log;

  @BeforeEach
  void setUp() throws Exception {
    log = new LogCapture(VertxTransport.class);
    victimDevice = new TestDevice(dir.resolve("victim"), "victim");
    phone = new TestDevice(dir.resolve("phone"), "phone");
    victimDevice.pin(phone);
    phone.pin(victimDevice);
    store = new InMemoryReplicaStore();
    transport = new VertxTransport(Loopback.options().withTimeouts(HELLO, Duration.ofSeconds(10)),
        ChannelSecurity.tls(victimDevice.tls));
    victim = Replica.builder().store(store).transport(transport).build();
    victim.update("likes", GCounter.empty(), (c, w) -> c.increment(w.replica(), 3));
    before = ReplicaState.of(victim, store);
  }

  @AfterEach
  void tearDown() {
    victim.close();
    log.close();
  }

  @Test
  void unpairedDeviceIsRefusedDuringTheHandshake() throws Exception {
    TestDevice stranger = new TestDevice(dir.resolve("stranger"), "stranger");
    stranger.pin(victimDevice); // it trusts the victim; the victim never paired it
    assertDialingIsRefused(stranger, RefusalReason.UNPAIRED);
  }

  @Test
  void revokedDeviceIsRefusedDuringTheHandshake() throws Exception {
    victimDevice.trusted.revoke(phone.fingerprint(), Instant.now());
    assertDialingIsRefused(phone, RefusalReason.REVOKED);
  }

  @Test
  void plainTcpClientSpeakingGarbageIsRefused() throws Exception {
    byte[] heard;
    try (RawPeer mallory = new RawPeer(transport.port())) {
      heard = mallory.preamble().hello(io.tandem.crdt.ReplicaId.of(0x3a11))
          .readUntilClosed(WITHIN);
    }
    assertNoPreambleIn(heard);
    assertRefused(RefusalReason.HANDSHAKE_FAILED);
  }

  @Test
  void slowLorisIsClosedWithinTheHandshakeTimeout() throws Exception {
    try (RawPeer loris = new RawPeer(transport.port())) {
      assertThat(loris.readUntilClosed(WITHIN)).isEmpty();
    }
    assertRefused(RefusalReason.HANDSHAKE_FAILED);
  }

  @Test
  void tlsClientWithoutACertificateIsRefused() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      AtomicInteger bytes = new AtomicInteger();
      java.util.concurrent.CompletableFuture<Void> closed = new java.util.concurrent.CompletableFuture<>();
      vertx.createNetClient(new NetClientOptions().setSsl(true).setTrustAll(true)
          .setHostnameVerificationAlgorithm("")
          .setEnabledSecureTransportProtocols(java.util.Set.of("TLSv1.3")))
          .connect(transport.port(), "127.0.0.1").onComplete(ar -> {
            if (ar.failed()) {
              closed.complete(null);
              return;
            }
            NetSocket s = ar.result();
            s.handler(b -> bytes.addAndGet(b.length()));
            s.closeHandler(v -> closed.complete(null));
          });
      closed.get(WITHIN.toSeconds(), TimeUnit.SECONDS);
      assertThat(bytes).as("bytes the victim sent a client without a certificate").hasValue(0);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    assertRefused(RefusalReason.NO_CERTIFICATE);
  }

  @Test
  void pairedDeviceSyncs() throws Exception {
    InMemoryReplicaStore phoneStore = new InMemoryReplicaStore();
    try (Replica p = Replica.builder().store(phoneStore).transport(new VertxTransport(
        Loopback.options().withPeers(List.of(new PeerAddress("127.0.0.1", transport.port()))),
        ChannelSecurity.tls(phone.tls))).build()) {
      Loopback.await("the phone has the victim's state", () -> ReplicaState.of(p, phoneStore)
          .withoutFeeds().equals(before.withoutFeeds()), WITHIN);
    }
    assertThat(transport.metrics().peers()).containsKey(phone.fingerprint().hex());
  }

  private void assertDialingIsRefused(TestDevice intruder, RefusalReason reason)
      throws Exception {
    AtomicInteger ups = new AtomicInteger();
    AtomicInteger frames = new AtomicInteger();
    try (VertxTransport t = new VertxTransport(Loopback.options().withPeers(
        List.of(new PeerAddress("127.0.0.1", transport.port()))),
        ChannelSecurity.tls(intruder.tls))) {
      t.start(new PeerListener() {
        @Override
        public void peerUp(PeerId peer) {
          ups.incrementAndGet();
        }

        @Override
        public void peerDown(PeerId peer) {}

        @Override
        public void frame(PeerId peer, ByteBuffer frame) {
          frames.incrementAndGet();
        }
      });
      assertRefused(reason);
      // Under TLS 1.3 the client may believe it connected before the server checks its key:
      // it redials, is refused again, and never hears the preamble.
      Loopback.await("a second refused attempt", () -> transport.metrics().refusals(reason) > 1,
          WITHIN);
    }
    assertThat(ups).as("connections the intruder saw come up").hasValue(0);
    assertThat(frames).as("replica frames the intruder received").hasValue(0);
  }

  private void assertRefused(RefusalReason reason) {
    Loopback.await(reason + " counted", () -> transport.metrics().refusals(reason) > 0, WITHIN);
    assertThat(log.lines()).anySatisfy(line -> assertThat(line).contains(reason.toString()));
    ReplicaState after = ReplicaState.of(victim, store);
    assertThat(after).isEqualTo(before.foldedAs(after));
    assertThat(transport.metrics().framesIn()).as("frames read from intruders").isZero();
  }

  private static void assertNoPreambleIn(byte[] heard) {
    String s = new String(heard, java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(s).doesNotContain("TNDM");
  }
}
