package io.tandem.transport.vertx;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A device in a test: its identity and trust in a directory, and every refusal it reports. */
final class TestDevice {

  static final Duration TIMEOUT = Duration.ofSeconds(10);

  final Path directory;
  final DeviceIdentity identity;
  final TrustedDevices trusted;
  final BlockingQueue<Refusal> refusals = new LinkedBlockingQueue<>();
  final BlockingQueue<Fingerprint> accepted = new LinkedBlockingQueue<>();
  final TlsSetup tls;

  TestDevice(Path directory, String name) throws IdentityException {
    this.directory = directory;
    this.identity = DeviceIdentity.loadOrCreate(directory, name);
    this.trusted = TrustedDevices.open(directory);
    this.tls = new TlsSetup(identity, trusted, refusals::add);
  }

  Fingerprint fingerprint() {
    return identity.fingerprint();
  }

  void pin(TestDevice other) throws IdentityException {
    trusted.pin(new PairedDevice(other.fingerprint(), other.identity.name(), Instant.now()));
  }

  /**
   * A server that authenticates each connection before reading, answers "ok" to a trusted
   * peer, and records the peers it accepted. Handshake failures are reported as refusals.
   */
  NetServer listen(Vertx vertx) throws Exception {
    NetServer server = vertx.createNetServer(
        tls.applyTo(new NetServerOptions().setHost("127.0.0.1").setPort(0)));
    server.exceptionHandler(tls::handshakeFailed);
    server.connectHandler(socket -> {
      try {
        Fingerprint peer = tls.authenticate(socket);
        accepted.add(peer);
        socket.write("ok");
      } catch (RefusedPeerException e) {
        socket.close();
      }
    });
    return await(server.listen());
  }

  NetClient client(Vertx vertx) {
    return vertx.createNetClient(tls.applyTo(new NetClientOptions()));
  }

  Refusal nextRefusal() throws InterruptedException {
    Refusal refusal = refusals.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    if (refusal == null) {
      throw new AssertionError("no refusal reported within " + TIMEOUT);
    }
    return refusal;
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture()
        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Reads the server's first answer, or null if the connection closes without one. */
  static String firstAnswer(NetSocket socket) throws Exception {
    java.util.concurrent.CompletableFuture<String> answer =
        new java.util.concurrent.CompletableFuture<>();
    socket.handler(buffer -> answer.complete(buffer.toString()));
    socket.closeHandler(v -> answer.complete(null));
    return answer.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
