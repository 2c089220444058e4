package io.tandem.transport.vertx;

import static io.tandem.transport.vertx.TestDevice.await;
import static io.tandem.transport.vertx.TestDevice.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pairing over real TLS on 127.0.0.1: the code shown on one device, typed on the other. */
class PairingTest {

  private static Vertx vertx;

  @TempDir Path pcDir;
  @TempDir Path phoneDir;
  @TempDir Path malloryDir;

  private TestDevice pc;
  private TestDevice phone;
  private PairingBudget pcBudget;
  private PairingBudget phoneBudget;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    await(vertx.close());
  }

  @BeforeEach
  void devices() throws Exception {
    pc = new TestDevice(pcDir, "pc");
    phone = new TestDevice(phoneDir, "phone");
    pcBudget = new PairingBudget(3, Duration.ofMinutes(10));
    phoneBudget = new PairingBudget(3, Duration.ofMinutes(10));
  }

  @Test
  void devicesPairWithTheRightCodeAndThenConnectWithMutualTls() throws Exception {
    Promise<String> shown = Promise.promise();
    Pairing.Offer offer = await(pairing(pc, pcBudget).offer("127.0.0.1", 0, shown::complete));
    // The user reads the code on the pc and types it on the phone.
    Future<PairedDevice> phoneSide =
        pairing(phone, phoneBudget).accept("127.0.0.1", offer.port(), shown::future);

    assertThat(await(offer.result()).fingerprint()).isEqualTo(phone.fingerprint());
    assertThat(await(phoneSide).fingerprint()).isEqualTo(pc.fingerprint());
    assertThat(await(phoneSide).name()).isEqualTo("pc");
    assertThat(pc.trusted.isTrusted(phone.fingerprint())).isTrue();
    assertThat(phone.trusted.isTrusted(pc.fingerprint())).isTrue();

    NetServer server = pc.listen(vertx);
    assertThat(connect(phone.client(vertx), server.actualPort()).firstAnswer()).isEqualTo("ok");
    assertThat(pc.accepted.poll()).isEqualTo(phone.fingerprint());
    await(server.close());
  }

  @Test
  void wrongCodeFailsOnBothSidesPinsNothingAndShrinksTheBudget() throws Exception {
    Promise<String> shown = Promise.promise();
    Pairing.Offer offer = await(pairing(pc, pcBudget).offer("127.0.0.1", 0, shown::complete));
    Future<PairedDevice> phoneSide = pairing(phone, phoneBudget).accept("127.0.0.1",
        offer.port(), () -> shown.future().map(code -> code.equals("000000") ? "000001" : "000000"));

    assertFails(phoneSide, PairingException.Reason.WRONG_CODE);
    assertFails(offer.result(), PairingException.Reason.WRONG_CODE);
    assertThat(pc.trusted.devices()).isEmpty();
    assertThat(phone.trusted.devices()).isEmpty();
    long now = System.currentTimeMillis();
    assertThat(pcBudget.remaining(now)).isEqualTo(2);
    assertThat(phoneBudget.remaining(now)).isEqualTo(2);
    assertThat(pc.nextRefusal().reason()).isEqualTo(Refusal.Reason.PAIRING_FAILED);
    assertThat(phone.nextRefusal().reason()).isEqualTo(Refusal.Reason.PAIRING_FAILED);
  }

  @Test
  void spentBudgetRefusesNewPairingsUntilTheWindowPasses() throws Exception {
    PairingBudget spent = new PairingBudget(1, Duration.ofMinutes(10));
    spent.failed(System.currentTimeMillis());

    assertFails(pairing(pc, spent).offer("127.0.0.1", 0, code -> { }),
        PairingException.Reason.BUDGET_EXHAUSTED);
    assertThat(pc.nextRefusal().reason()).isEqualTo(Refusal.Reason.PAIRING_BUDGET_EXHAUSTED);
    assertThat(spent.remaining(System.currentTimeMillis() + Duration.ofMinutes(10).toMillis()))
        .isEqualTo(1);
  }

  /**
   * Mallory sits between them with her own key on each TLS connection (she cannot present
   * theirs). The user types the pc's code on the phone; Mallory types the code she shows the
   * phone, the only one she knows in time. Both exchanges fail and no one pins her key.
   */
  @Test
  void manInTheMiddleRelayingWithItsOwnKeysFails() throws Exception {
    TestDevice mallory = new TestDevice(malloryDir, "pc");
    PairingBudget malloryBudget = new PairingBudget(5, Duration.ofMinutes(10));
    Promise<String> pcShows = Promise.promise();
    Promise<String> malloryShows = Promise.promise();
    Pairing.Offer pcOffer = await(pairing(pc, pcBudget).offer("127.0.0.1", 0, pcShows::complete));
    Pairing.Offer malloryOffer = await(pairing(mallory, malloryBudget)
        .offer("127.0.0.1", 0, malloryShows::complete));

    // The phone connects to Mallory, believing she is the pc; Mallory connects to the pc.
    Future<PairedDevice> phoneSide = pairing(phone, phoneBudget)
        .accept("127.0.0.1", malloryOffer.port(), pcShows::future);
    Future<PairedDevice> malloryToPc = pairing(mallory, malloryBudget)
        .accept("127.0.0.1", pcOffer.port(), malloryShows::future);

    assertFails(phoneSide, PairingException.Reason.WRONG_CODE);
    assertThat(failsEventually(pcOffer.result())).isTrue();
    assertThat(failsEventually(malloryToPc)).isTrue();
    assertThat(pc.trusted.isTrusted(mallory.fingerprint())).isFalse();
    assertThat(phone.trusted.isTrusted(mallory.fingerprint())).isFalse();
    assertThat(pc.trusted.devices()).isEmpty();
    assertThat(phone.trusted.devices()).isEmpty();
  }

  @Test
  void cancelledOfferClosesItsPortAndFails() throws Exception {
    Pairing.Offer offer = await(pairing(pc, pcBudget).offer("127.0.0.1", 0, code -> { }));
    await(offer.cancel());

    assertFails(offer.result(), PairingException.Reason.ABORTED_BY_PEER);
    assertThat(failsEventually(pairing(phone, phoneBudget)
        .accept("127.0.0.1", offer.port(), () -> Future.succeededFuture("000000")))).isTrue();
    assertThat(phone.trusted.devices()).isEmpty();
  }

  @Test
  void revokedDeviceCannotPairAgain() throws Exception {
    pc.trusted.revoke(phone.fingerprint(), java.time.Instant.now());
    Pairing.Offer offer = await(pairing(pc, pcBudget).offer("127.0.0.1", 0, code -> { }));
    Future<PairedDevice> phoneSide = pairing(phone, phoneBudget)
        .accept("127.0.0.1", offer.port(), () -> Future.succeededFuture("000000"));

    assertFails(offer.result(), PairingException.Reason.REVOKED);
    assertThat(failsEventually(phoneSide)).isTrue();
    assertThat(pc.trusted.isTrusted(phone.fingerprint())).isFalse();
  }

  private Pairing pairing(TestDevice device, PairingBudget budget) {
    return new Pairing(vertx, device.identity, device.trusted, budget, device.refusals::add)
        .withTimeout(TestDevice.TIMEOUT);
  }

  private static boolean failsEventually(Future<?> future) throws Exception {
    Future<Boolean> failed = future.transform(r -> Future.succeededFuture(r.failed()));
    return await(failed);
  }

  private static void assertFails(Future<?> future, PairingException.Reason reason) {
    assertThatThrownBy(() -> await(future)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOfSatisfying(PairingException.class,
            e -> assertThat(e.reason()).isEqualTo(reason));
  }
}
