package io.tandem.transport.vertx;

import static io.tandem.transport.vertx.TestDevice.await;
import static io.tandem.transport.vertx.TestDevice.firstAnswer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real TLS 1.3 on 127.0.0.1 with pinned device keys, both ways. */
class TlsTrustTest {

  private static Vertx vertx;

  @TempDir Path pcDir;
  @TempDir Path phoneDir;
  @TempDir Path strangerDir;

  private TestDevice pc;
  private TestDevice phone;
  private NetServer server;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    await(vertx.close());
  }

  @BeforeEach
  void pairPcAndPhone() throws Exception {
    pc = new TestDevice(pcDir, "pc");
    phone = new TestDevice(phoneDir, "phone");
    pc.pin(phone);
    phone.pin(pc);
    server = pc.listen(vertx);
  }

  @Test
  void pairedDevicesConnectWithMutualAuthentication() throws Exception {
    NetSocket socket = await(phone.client(vertx).connect(server.actualPort(), "127.0.0.1"));

    assertThat(firstAnswer(socket)).isEqualTo("ok");
    assertThat(pc.accepted.poll()).isEqualTo(phone.fingerprint());
    assertThat(phone.tls.authenticate(socket)).isEqualTo(pc.fingerprint());
    assertThat(socket.sslSession().getProtocol()).isEqualTo("TLSv1.3");
    assertThat(pc.refusals).isEmpty();
    assertThat(phone.refusals).isEmpty();
  }

  @Test
  void unpairedKeyIsRefusedDuringTheHandshake() throws Exception {
    TestDevice stranger = new TestDevice(strangerDir, "stranger");
    stranger.pin(pc); // the stranger trusts the pc; the pc never paired with it

    assertRefusedByServer(stranger.client(vertx));

    Refusal refusal = pc.nextRefusal();
    assertThat(refusal.reason()).isEqualTo(Refusal.Reason.UNPAIRED);
    assertThat(refusal.peer()).isEqualTo(stranger.fingerprint());
    assertThat(pc.accepted).isEmpty();
  }

  @Test
  void revokedKeyIsRefusedOnTheNextConnectionWithoutRestart() throws Exception {
    NetClient client = phone.client(vertx);
    assertThat(firstAnswer(await(client.connect(server.actualPort(), "127.0.0.1"))))
        .isEqualTo("ok");

    pc.trusted.revoke(phone.fingerprint(), Instant.now());

    // The same client again: a resumed TLS session must not carry the revoked key through.
    assertRefusedByServer(client);
    Refusal refusal = pc.nextRefusal();
    assertThat(refusal.reason()).isEqualTo(Refusal.Reason.REVOKED);
    assertThat(refusal.peer()).isEqualTo(phone.fingerprint());
    assertThat(pc.accepted).containsExactly(phone.fingerprint());
    // A new client with a fresh TLS context is refused in the handshake itself.
    assertRefusedByServer(phone.client(vertx));
    assertThat(pc.nextRefusal().reason()).isEqualTo(Refusal.Reason.REVOKED);
  }

  @Test
  void clientWithoutCertificateIsRefused() throws Exception {
    NetClient anonymous = vertx.createNetClient(new NetClientOptions().setSsl(true)
        .setTrustAll(true).setHostnameVerificationAlgorithm("")
        .setEnabledSecureTransportProtocols(java.util.Set.of(TlsSetup.TLS_1_3)));

    assertRefusedByServer(anonymous);

    assertThat(pc.nextRefusal().reason()).isEqualTo(Refusal.Reason.NO_CERTIFICATE);
    assertThat(pc.accepted).isEmpty();
  }

  @Test
  void certificateWithAPairedDevicesSubjectOverAnotherKeyIsRefused() throws Exception {
    // An impostor copies the phone's name (its certificate subject) onto a key of its own.
    DeviceIdentity impostor = DeviceIdentity.generate(phone.identity.name(), new SecureRandom());
    assertThat(impostor.certificate().getSubjectX500Principal())
        .isEqualTo(phone.identity.certificate().getSubjectX500Principal());
    TlsSetup impostorTls = new TlsSetup(impostor, phone.trusted, r -> { });

    assertRefusedByServer(vertx.createNetClient(impostorTls.applyTo(new NetClientOptions())));

    Refusal refusal = pc.nextRefusal();
    assertThat(refusal.reason()).isEqualTo(Refusal.Reason.UNPAIRED);
    assertThat(refusal.peer()).isEqualTo(impostor.fingerprint());
  }

  @Test
  void clientRefusesAServerWhoseKeyIsNotPinned() throws Exception {
    TestDevice stranger = new TestDevice(strangerDir, "stranger");
    stranger.pin(phone); // the rogue server would accept the phone, but the phone never paired
    NetServer rogue = stranger.listen(vertx);

    assertThatThrownBy(() -> await(phone.client(vertx).connect(rogue.actualPort(), "127.0.0.1")))
        .hasStackTraceContaining("certificate");

    Refusal refusal = phone.nextRefusal();
    assertThat(refusal.reason()).isEqualTo(Refusal.Reason.UNPAIRED);
    assertThat(refusal.peer()).isEqualTo(stranger.fingerprint());
    assertThat(stranger.accepted).isEmpty();
    await(rogue.close());
  }

  @Test
  void plainTcpSpeakingGarbageIsRefused() throws Exception {
    NetClient plain = vertx.createNetClient(new NetClientOptions());
    NetSocket socket = await(plain.connect(server.actualPort(), "127.0.0.1"));
    socket.write(Buffer.buffer("GET / HTTP/1.1\r\nHost: pc\r\n\r\n" + "\u0000".repeat(64)));

    assertThat(firstAnswer(socket)).isNull();
    assertThat(pc.nextRefusal().reason()).isEqualTo(Refusal.Reason.HANDSHAKE_FAILED);
    assertThat(pc.accepted).isEmpty();
  }

  /** The connection never gets an answer and is closed; the server never accepted it. */
  private void assertRefusedByServer(NetClient client) throws Exception {
    NetSocket socket;
    try {
      socket = await(client.connect(server.actualPort(), "127.0.0.1"));
    } catch (java.util.concurrent.ExecutionException refusedInHandshake) {
      return;
    }
    // TLS 1.3: the client finishes its half before the server judges its certificate.
    assertThat(firstAnswer(socket)).isNull();
  }
}
