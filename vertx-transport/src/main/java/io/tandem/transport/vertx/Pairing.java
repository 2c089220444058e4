package io.tandem.transport.vertx;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Pairs two devices over a TLS 1.3 connection of its own, separate from the sync port: one
 * device {@link #offer offers} (listens, and shows the 6-digit code), the other
 * {@link #accept accepts} (connects, and asks its user for the code). Both present their device
 * certificates; the exchange ({@link PairingSession}, docs/PAIRING.md) pins each other's key
 * only if the typed code matches, and a man in the middle fails. One offer serves one attempt.
 *
 * <p>Attempts are refused while the {@link PairingBudget} is spent; each failure spends one.
 */
public final class Pairing {

  /** How long one exchange may take, the user's typing included. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

  /** What a pairing connection needs; immutable. */
  record Setup(DeviceIdentity identity, TrustedDevices trusted, PairingBudget budget,
      Consumer<Refusal> refusals, Duration timeout, SecureRandom random) {}

  private final Vertx vertx;
  private final Setup setup;

  public Pairing(Vertx vertx, DeviceIdentity identity, TrustedDevices trusted,
      PairingBudget budget, Consumer<Refusal> refusals) {
    this(vertx, new Setup(Objects.requireNonNull(identity, "identity"),
        Objects.requireNonNull(trusted, "trusted"), Objects.requireNonNull(budget, "budget"),
        Objects.requireNonNull(refusals, "refusals"), DEFAULT_TIMEOUT, new SecureRandom()));
  }

  private Pairing(Vertx vertx, Setup setup) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.setup = setup;
  }

  /** A copy whose exchanges time out after {@code timeout}. */
  public Pairing withTimeout(Duration timeout) {
    return new Pairing(vertx, new Setup(setup.identity(), setup.trusted(), setup.budget(),
        setup.refusals(), timeout, setup.random()));
  }

  /** One offered pairing: the port it listens on and how it ends. */
  public static final class Offer {
    private final NetServer server;
    private final Promise<PairedDevice> result;

    private Offer(NetServer server, Promise<PairedDevice> result) {
      this.server = server;
      this.result = result;
    }

    /**
     * Stops offering: the port closes and {@link #result()} fails with
     * {@link PairingException.Reason#ABORTED_BY_PEER} unless it already ended. An exchange under
     * way is cut off by the closed port's connection; no budget is spent for the cancel itself.
     */
    public Future<Void> cancel() {
      result.tryFail(new PairingException(PairingException.Reason.ABORTED_BY_PEER,
          "the offer was cancelled"));
      return server.close();
    }

    /** The port the typing device connects to. */
    public int port() {
      return server.actualPort();
    }

    /** The paired device, or a {@link PairingException}. */
    public Future<PairedDevice> result() {
      return result.future();
    }
  }

  /**
   * Listens on {@code host:port} (0 for any free port) for one device that wants to pair.
   *
   * @param showCode called on an event-loop thread with the 6 digits to show the user
   */
  public Future<Offer> offer(String host, int port, Consumer<String> showCode) {
    Future<Void> allowed = checkBudget();
    if (allowed.failed()) {
      return Future.failedFuture(allowed.cause());
    }
    Promise<PairedDevice> result = Promise.promise();
    NetServer server = vertx.createNetServer(TlsSetup.configure(
        new NetServerOptions().setHost(host).setPort(port), setup.identity(),
        new AnyKeyTrustManager()));
    server.exceptionHandler(failure -> TlsSetup.handshakeFailed(failure, setup.refusals()));
    java.util.concurrent.atomic.AtomicBoolean taken = new java.util.concurrent.atomic.AtomicBoolean();
    server.connectHandler(socket -> {
      if (!taken.compareAndSet(false, true)) {
        socket.close(); // one attempt per offer
        return;
      }
      PairingConnection.run(vertx, socket, setup, PairingSession.Role.SHOWER, showCode,
          () -> Future.failedFuture("the showing device types no code"))
          .onComplete(paired -> {
            if (paired.succeeded()) {
              result.tryComplete(paired.result());
            } else {
              result.tryFail(paired.cause());
            }
          });
    });
    result.future().onComplete(done -> server.close());
    return server.listen().map(listening -> new Offer(server, result));
  }

  /**
   * Connects to a device that offers pairing at {@code host:port}.
   *
   * @param typeCode asked, once the exchange is ready, for the code the user types
   */
  public Future<PairedDevice> accept(String host, int port, Supplier<Future<String>> typeCode) {
    Future<Void> allowed = checkBudget();
    if (allowed.failed()) {
      return Future.failedFuture(allowed.cause());
    }
    NetClient client = vertx.createNetClient(TlsSetup.configure(new NetClientOptions()
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, setup.timeout().toMillis())),
        setup.identity(), new AnyKeyTrustManager()));
    Future<PairedDevice> paired = client.connect(port, host)
        .compose(socket -> PairingConnection.run(vertx, socket, setup, PairingSession.Role.TYPER,
            code -> { }, typeCode));
    return paired.eventually(() -> client.close());
  }

  private Future<Void> checkBudget() {
    if (setup.budget().remaining(System.currentTimeMillis()) > 0) {
      return Future.succeededFuture();
    }
    PairingException refused = new PairingException(
        PairingException.Reason.BUDGET_EXHAUSTED, "too many pairings failed recently");
    RefusalLog.report(setup.refusals(),
        new Refusal(Refusal.Reason.PAIRING_BUDGET_EXHAUSTED, null, refused.getMessage()));
    return Future.failedFuture(refused);
  }
}
