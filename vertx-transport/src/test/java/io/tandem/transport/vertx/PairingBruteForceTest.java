package io.tandem.transport.vertx;

import static io.tandem.transport.vertx.PairingSessionTest.deliver;
import static io.tandem.transport.vertx.PairingSessionTest.session;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * FAULTS numeric goal 16: a man in the middle records the pairing exchange and tries all 10^6
 * codes offline against it: 0 successes. Each victim is replayed from the recording with the same
 * nonces, so every try meets exactly the state the real victim was in; the attacker's own
 * commitments are fixed as recorded, because it had to send them before the code was knowable.
 * Depth: {@code -Dtandem.pairingCodes=N} (default all 10^6).
 */
class PairingBruteForceTest {

  private static final int CODES = Integer.getInteger("tandem.pairingCodes", 1_000_000);
  private static final long PC_SEED = 11;
  private static final long PHONE_SEED = 12;

  private static DeviceIdentity pc;
  private static DeviceIdentity phone;
  private static DeviceIdentity mallory;

  @BeforeAll
  static void identities() throws Exception {
    SecureRandom random = new SecureRandom();
    pc = DeviceIdentity.generate("pc", random);
    phone = DeviceIdentity.generate("phone", random);
    mallory = DeviceIdentity.generate("mallory", random);
  }

  /**
   * Mallory impersonates the phone to the pc. Before the pc reveals its nonce, Mallory must
   * commit to a typed code; afterwards she knows the code, and tries every code as an opening.
   */
  @Test
  void showingDeviceAcceptsNoneOfTheMillionCodesOpenedAgainstARecordedExchange()
      throws Exception {
    byte[] mallorysKey = mallory.certificate().getPublicKey().getEncoded();
    byte[] malloryNonce = new byte[32];
    byte[] mallorySalt = new byte[32];
    malloryNonce[0] = 7;
    mallorySalt[0] = 9;
    String guess = "123456";

    PairingSession recorded = session(PairingSession.Role.SHOWER, pc, mallory, PC_SEED);
    PairingMessage.Commit commit = (PairingMessage.Commit) recorded.start().get(0);
    PairingMessage.Key key = new PairingMessage.Key(mallorysKey, "phone", malloryNonce);
    deliver(List.of(key), recorded);
    PairingMessage.CodeCommit codeCommit = new PairingMessage.CodeCommit(
        PairingSession.codeCommitment(commit.commitment(),
            pc.certificate().getPublicKey().getEncoded(), mallorysKey, "phone", malloryNonce,
            guess, mallorySalt));
    PairingMessage.Reveal reveal = (PairingMessage.Reveal) deliver(List.of(codeCommit),
        recorded).get(0);
    String shown = PairingSession.code(PairingSession.transcript(commit.commitment(),
        reveal.publicKey(), reveal.name(), reveal.nonce(), mallorysKey, "phone", malloryNonce));
    assertThat(shown).isEqualTo(recorded.code()); // the recording tells Mallory the code now
    assertThat(shown).isNotEqualTo(guess); // her one committed guess missed (p = 10^-6)

    int accepted = 0;
    for (int code = 0; code < CODES; code++) {
      PairingSession victim = session(PairingSession.Role.SHOWER, pc, mallory, PC_SEED);
      victim.start();
      victim.onMessage(key);
      victim.onMessage(codeCommit);
      try {
        victim.onMessage(new PairingMessage.Open(String.format("%06d", code), mallorySalt));
        accepted++;
      } catch (PairingException refused) {
        // the opening does not match the commitment, or matches a wrong guess
      }
    }
    assertThat(accepted).isZero();
  }

  /**
   * Mallory impersonates the pc to the phone, whose user types the code the real pc shows.
   * Offline she grinds a million nonces for one whose code equals the typed one (without a
   * commitment that would succeed about 63% of the time); each is refused by the commitment she
   * had to send before the phone's nonce.
   */
  @Test
  void typingDeviceAcceptsNoneOfAMillionGroundRevealsAgainstARecordedExchange()
      throws Exception {
    byte[] mallorysKey = mallory.certificate().getPublicKey().getEncoded();
    byte[] committedNonce = new byte[32];
    committedNonce[31] = 1;
    PairingMessage.Commit commit =
        new PairingMessage.Commit(PairingSession.commitment(mallorysKey, "pc", committedNonce));
    String typed = "654321"; // what the real pc showed, out of Mallory's control

    PairingSession recorded = session(PairingSession.Role.TYPER, phone, mallory, PHONE_SEED);
    PairingMessage.Key phonesKey = (PairingMessage.Key) deliver(List.of(commit), recorded).get(0);
    PairingMessage.CodeCommit codeCommit =
        (PairingMessage.CodeCommit) recorded.codeTyped(typed).get(0);
    assertThat(codeCommit.commitment()).hasSize(32);

    int matchingCodes = 0;
    int accepted = 0;
    byte[] nonce = new byte[32];
    for (int i = 0; i < CODES; i++) {
      ByteBuffer.wrap(nonce).putLong(0, i + 2L);
      String code = PairingSession.code(PairingSession.transcript(commit.commitment(),
          mallorysKey, "pc", nonce, phonesKey.publicKey(), phonesKey.name(), phonesKey.nonce()));
      if (code.equals(typed)) {
        matchingCodes++;
      }
      PairingSession victim = session(PairingSession.Role.TYPER, phone, mallory, PHONE_SEED);
      victim.onMessage(commit);
      victim.codeTyped(typed);
      try {
        victim.onMessage(new PairingMessage.Reveal(mallorysKey, "pc", nonce.clone()));
        accepted++;
      } catch (PairingException refused) {
        // the reveal does not match the commitment
      }
    }
    System.out.printf("offline grinding: %d of %d nonces give the typed code; accepted: %d%n",
        matchingCodes, CODES, accepted);
    assertThat(accepted).isZero();
  }
}
