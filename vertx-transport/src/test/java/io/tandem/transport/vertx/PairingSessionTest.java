package io.tandem.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The pairing exchange as a pure state machine: every message goes through the codec. */
class PairingSessionTest {

  private static DeviceIdentity pc;
  private static DeviceIdentity phone;
  private static DeviceIdentity mallory;

  @BeforeAll
  static void identities() throws Exception {
    SecureRandom random = new SecureRandom();
    pc = DeviceIdentity.generate("pc", random);
    phone = DeviceIdentity.generate("phone", random);
    mallory = DeviceIdentity.generate("pc", random); // a MITM may copy a name, not a key
  }

  @Test
  void rightCodePairsBothSidesWithEachOthersKeys() throws Exception {
    PairingSession shower = session(PairingSession.Role.SHOWER, pc, phone, 1);
    PairingSession typer = session(PairingSession.Role.TYPER, phone, pc, 2);

    List<PairingMessage> key = deliver(shower.start(), typer);
    assertThat(typer.needsCode()).isTrue();
    assertThat(deliver(key, shower)).isEmpty();
    String code = shower.code();
    assertThat(code).matches("[0-9]{6}");
    List<PairingMessage> done = deliver(deliver(deliver(typer.codeTyped(code), shower), typer),
        shower);
    deliver(done, typer);

    assertThat(shower.state()).isEqualTo(PairingSession.State.PAIRED);
    assertThat(typer.state()).isEqualTo(PairingSession.State.PAIRED);
    assertThat(shower.paired(java.time.Instant.EPOCH).fingerprint())
        .isEqualTo(phone.fingerprint());
    assertThat(shower.paired(java.time.Instant.EPOCH).name()).isEqualTo("phone");
    assertThat(typer.paired(java.time.Instant.EPOCH).fingerprint()).isEqualTo(pc.fingerprint());
    assertThat(typer.code()).isEqualTo(code);
  }

  @Test
  void wrongCodeFailsOnTheTypingSideBeforeAnythingIsOpened() throws Exception {
    PairingSession shower = session(PairingSession.Role.SHOWER, pc, phone, 1);
    PairingSession typer = session(PairingSession.Role.TYPER, phone, pc, 2);
    deliver(deliver(shower.start(), typer), shower);
    String wrong = String.format("%06d", (Integer.parseInt(shower.code()) + 1) % 1_000_000);
    List<PairingMessage> reveal = deliver(typer.codeTyped(wrong), shower);

    assertThatThrownBy(() -> deliver(reveal, typer)).isInstanceOfSatisfying(
        PairingException.class,
        e -> assertThat(e.reason()).isEqualTo(PairingException.Reason.WRONG_CODE));
    assertThat(typer.state()).isEqualTo(PairingSession.State.FAILED);
    assertThatThrownBy(() -> shower.onMessage(
        new PairingMessage.Abort(PairingException.Reason.WRONG_CODE)))
        .isInstanceOfSatisfying(PairingException.class,
            e -> assertThat(e.reason()).isEqualTo(PairingException.Reason.WRONG_CODE));
  }

  @Test
  void showerRefusesAnOpenedCodeThatDiffersFromTheCommittedOne() throws Exception {
    PairingSession shower = session(PairingSession.Role.SHOWER, pc, phone, 1);
    PairingSession typer = session(PairingSession.Role.TYPER, phone, pc, 2);
    deliver(deliver(shower.start(), typer), shower);
    deliver(typer.codeTyped("000000"), shower); // shower now reveals; the code is public

    // Knowing the code now is too late: the opening must match the earlier commitment.
    PairingMessage.Open late = new PairingMessage.Open(shower.code(), new byte[32]);
    assertThatThrownBy(() -> shower.onMessage(late)).isInstanceOfSatisfying(
        PairingException.class,
        e -> assertThat(e.reason()).isEqualTo(PairingException.Reason.BROKEN_COMMITMENT));
  }

  @Test
  void keyThatIsNotTheTlsPeersKeyIsRefused() throws Exception {
    // The shower's TLS peer is mallory, but mallory relays the phone's key message.
    PairingSession shower = session(PairingSession.Role.SHOWER, pc, mallory, 1);
    PairingSession typer = session(PairingSession.Role.TYPER, phone, pc, 2);
    List<PairingMessage> phonesKey = deliver(shower.start(), typer);

    assertThatThrownBy(() -> deliver(phonesKey, shower)).isInstanceOfSatisfying(
        PairingException.class,
        e -> assertThat(e.reason()).isEqualTo(PairingException.Reason.KEY_MISMATCH));
  }

  @Test
  void ownKeyReflectedBackIsRefused() throws Exception {
    PairingSession shower = session(PairingSession.Role.SHOWER, pc, pc, 1);
    PairingSession mirror = session(PairingSession.Role.TYPER, pc, pc, 2);
    List<PairingMessage> reflected = deliver(shower.start(), mirror);

    assertThatThrownBy(() -> deliver(reflected, shower)).isInstanceOfSatisfying(
        PairingException.class,
        e -> assertThat(e.reason()).isEqualTo(PairingException.Reason.KEY_MISMATCH));
  }

  @Test
  void messageOutOfOrderFailsTheSession() throws Exception {
    PairingSession typer = session(PairingSession.Role.TYPER, phone, pc, 2);

    assertThatThrownBy(() -> typer.onMessage(new PairingMessage.Done(new byte[32])))
        .isInstanceOfSatisfying(PairingException.class,
            e -> assertThat(e.reason()).isEqualTo(PairingException.Reason.PROTOCOL));
    assertThatThrownBy(() -> typer.onMessage(new PairingMessage.Commit(new byte[32])))
        .isInstanceOf(PairingException.class);
  }

  @Test
  void anyBytesDecodeOrThrowPairingException() {
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = new byte[random.nextInt(0, 300)];
      random.nextBytes(bytes);
      if (bytes.length > 1 && random.nextBoolean()) {
        bytes[0] = (byte) random.nextInt(0, 9);
        bytes[1] = 1;
      }
      try {
        PairingMessage message = PairingCodec.decode(bytes);
        assertThat(PairingCodec.encode(message)).isEqualTo(bytes);
      } catch (PairingException expected) {
        assertThat(expected.reason()).isEqualTo(PairingException.Reason.PROTOCOL);
      }
    }
  }

  static PairingSession session(PairingSession.Role role, DeviceIdentity self,
      DeviceIdentity tlsPeer, long seed) {
    return new PairingSession(role, self.certificate().getPublicKey(), self.name(),
        tlsPeer.certificate().getPublicKey(), new SplittableRandom(seed));
  }

  /** Sends messages through the codec to a session, and returns its answers. */
  static List<PairingMessage> deliver(List<PairingMessage> messages, PairingSession to)
      throws PairingException {
    List<PairingMessage> answers = new ArrayList<>();
    for (PairingMessage message : messages) {
      answers.addAll(to.onMessage(PairingCodec.decode(PairingCodec.encode(message))));
    }
    return answers;
  }
}
