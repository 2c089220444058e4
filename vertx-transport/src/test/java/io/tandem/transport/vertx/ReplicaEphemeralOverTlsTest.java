package io.tandem.transport.vertx;

import static io.tandem.replication.EphemeralHeard.line;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.GCounter;
import io.tandem.replication.EphemeralHeard;
import io.tandem.replication.PeerStatus;
import io.tandem.replication.Replica;
import io.tandem.replication.memory.InMemoryReplicaStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ephemeral channel between two paired devices over TLS 1.3 on 127.0.0.1, through a proxy
 * that cuts them: what the phone publishes while connected the PC hears; what it publishes while
 * cut off the PC never hears, not after the reconnect either.
 */
class ReplicaEphemeralOverTlsTest {

  private static final Duration WAIT = TestDevice.TIMEOUT;

  @TempDir
  Path dir;

  @Test
  void connectedPeerHearsTypingAndACutOffOneNeverDoes() throws Exception {
    TestDevice pcDevice = new TestDevice(dir.resolve("pc"), "pc");
    TestDevice phoneDevice = new TestDevice(dir.resolve("phone"), "phone");
    pcDevice.pin(phoneDevice);
    phoneDevice.pin(pcDevice);
    VertxTransport pcTransport = new VertxTransport(Loopback.options(),
        ChannelSecurity.tls(pcDevice.tls));
    try (Replica pc = Replica.builder().store(new InMemoryReplicaStore())
            .transport(pcTransport).build();
        TcpProxy proxy = new TcpProxy(pcTransport::port);
        Replica phone = Replica.builder().store(new InMemoryReplicaStore())
            .transport(new VertxTransport(Loopback.options().withPeers(List.of(
                new PeerAddress("127.0.0.1", proxy.port()))),
                ChannelSecurity.tls(phoneDevice.tls))).build()) {
      typingReachesOnlyWhatIsConnected(pc, phone, proxy);
    }
  }

  private static void typingReachesOnlyWhatIsConnected(Replica pc, Replica phone,
      TcpProxy proxy) throws Exception {
    EphemeralHeard atPc = EphemeralHeard.on(pc);
    EphemeralHeard atPhone = EphemeralHeard.on(phone);
    Loopback.await("a session both ways", () -> connected(phone, pc) && connected(pc, phone),
        WAIT);

    assertThat(phone.publish("typing", utf8("phone types…"))).isEqualTo(1);
    assertThat(pc.publish("presence", utf8("pc online"))).isEqualTo(1);
    assertThat(atPc.await(1, WAIT)).containsExactly(line(phone, "typing", "phone types…"));
    assertThat(atPhone.await(1, WAIT)).containsExactly(line(pc, "presence", "pc online"));

    proxy.cut();
    Loopback.await("the phone sees the PC gone", () -> !connected(phone, pc), WAIT);
    assertThat(phone.publish("typing", utf8("while cut off"))).isZero();
    proxy.restore();
    Loopback.await("a session again", () -> connected(phone, pc) && connected(pc, phone), WAIT);
    phone.update("likes", GCounter.empty(), (c, w) -> c.increment(w.replica(), 1))
        .on(pc.id()).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(phone.publish("typing", utf8("back"))).isEqualTo(1);

    assertThat(atPc.await(2, WAIT)).containsExactly(line(phone, "typing", "phone types…"),
        line(phone, "typing", "back"));
    assertThat(pc.vector()).isEqualTo(phone.vector());
    assertThat(pc.vector().get(phone.id())).as("only the write was logged").isEqualTo(1);
  }

  private static boolean connected(Replica r, Replica peer) {
    PeerStatus s = r.peers().get(peer.id());
    return s != null && s.connected();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
