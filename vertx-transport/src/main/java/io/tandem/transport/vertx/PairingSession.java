package io.tandem.transport.vertx;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * One side of one pairing exchange, as a pure state machine: messages in, messages out, no I/O,
 * no clock, no threads (like replication's {@code SyncSession}). The {@link Role#SHOWER} shows
 * the 6-digit code, the {@link Role#TYPER} is where the user types it. Both run over a TLS
 * connection on which each presented its device certificate; {@code peerTlsKey} is the key the
 * peer proved it holds there, and the exchange must carry exactly that key.
 *
 * <p>The messages and why a man in the middle fails are in {@link PairingMessage} and
 * docs/PAIRING.md. In short: S commits to its nonce before it sees T's, so no one can steer the
 * code; the code stays hidden from everyone but S until T has committed to what the user typed,
 * so no one can answer S's code without the user; and every commitment is opened only after the
 * other side is bound, so a recorded exchange gives an offline attacker nothing to try codes on.
 *
 * <p>After a {@link PairingException} the session is {@link State#FAILED} for good.
 */
public final class PairingSession {

  /** Which side of the exchange this is. */
  public enum Role { SHOWER, TYPER }

  /** Where the exchange stands. */
  public enum State {
    AWAIT_COMMIT, AWAIT_KEY, AWAIT_TYPED_CODE, AWAIT_CODE_COMMIT, AWAIT_REVEAL, AWAIT_OPEN,
    AWAIT_DONE, PAIRED, FAILED
  }

  /** Codes are this many decimal digits. */
  public static final int CODE_DIGITS = 6;
  private static final long CODE_SPACE = 1_000_000L;

  private final Role role;
  private final byte[] ownKey;
  private final String ownName;
  private final byte[] peerTlsKey;
  private final RandomGenerator random;

  private State state;
  private byte[] ownNonce;
  private byte[] showerCommitment;
  private byte[] typerKey;
  private String typerName;
  private byte[] typerNonce;
  private byte[] codeCommitment;
  private String typedCode;
  private byte[] typedSalt;
  private byte[] transcript;
  private String code;
  private String peerName;
  private PairingException failure;

  PairingSession(Role role, PublicKey ownKey, String ownName, PublicKey peerTlsKey,
      RandomGenerator random) {
    this.role = Objects.requireNonNull(role, "role");
    this.ownKey = ownKey.getEncoded();
    this.ownName = Objects.requireNonNull(ownName, "ownName");
    this.peerTlsKey = peerTlsKey.getEncoded();
    this.random = Objects.requireNonNull(random, "random");
    this.state = role == Role.SHOWER ? State.AWAIT_KEY : State.AWAIT_COMMIT;
  }

  /** The showing side, with nonces from {@code random} (a {@code SecureRandom} in use). */
  public static PairingSession shower(DeviceIdentity self, PublicKey peerTlsKey,
      java.security.SecureRandom random) {
    return new PairingSession(Role.SHOWER, self.certificate().getPublicKey(), self.name(),
        peerTlsKey, random);
  }

  /** The typing side, with nonces from {@code random} (a {@code SecureRandom} in use). */
  public static PairingSession typer(DeviceIdentity self, PublicKey peerTlsKey,
      java.security.SecureRandom random) {
    return new PairingSession(Role.TYPER, self.certificate().getPublicKey(), self.name(),
        peerTlsKey, random);
  }

  public Role role() {
    return role;
  }

  public State state() {
    return state;
  }

  /** The messages that open the exchange: S's commitment; nothing for T. */
  public List<PairingMessage> start() {
    if (role == Role.TYPER) {
      return List.of();
    }
    ownNonce = nonce();
    showerCommitment = commitment(ownKey, ownName, ownNonce);
    return List.of(new PairingMessage.Commit(showerCommitment));
  }

  /**
   * The code S shows, once T's key arrived; null before and on T's side until the end.
   */
  public String code() {
    return role == Role.SHOWER ? code : (state == State.PAIRED ? code : null);
  }

  /** True when T waits for the user to type the code. */
  public boolean needsCode() {
    return state == State.AWAIT_TYPED_CODE;
  }

  /**
   * T's user typed {@code typed}; it is committed to, not checked yet.
   *
   * @throws PairingException if no code is awaited
   */
  public List<PairingMessage> codeTyped(String typed) throws PairingException {
    Objects.requireNonNull(typed, "typed");
    expect(State.AWAIT_TYPED_CODE, "a typed code");
    String normalized = typed.replace(" ", "");
    typedCode = normalized.length() > 16 ? normalized.substring(0, 16) : normalized;
    typedSalt = nonce();
    codeCommitment = codeCommitment(showerCommitment, peerTlsKey, ownKey, ownName, ownNonce,
        typedCode, typedSalt);
    state = State.AWAIT_REVEAL;
    return List.of(new PairingMessage.CodeCommit(codeCommitment));
  }

  /**
   * Takes the peer's next message.
   *
   * @return the messages to send in answer
   * @throws PairingException if the exchange fails; nothing may be pinned then
   */
  public List<PairingMessage> onMessage(PairingMessage message) throws PairingException {
    Objects.requireNonNull(message, "message");
    if (state == State.FAILED) {
      throw failure;
    }
    if (message instanceof PairingMessage.Abort) {
      PairingException.Reason reason = ((PairingMessage.Abort) message).reason();
      throw fail(reason == PairingException.Reason.WRONG_CODE
          ? PairingException.Reason.WRONG_CODE : PairingException.Reason.ABORTED_BY_PEER,
          "the other device ended the pairing: " + reason);
    }
    if (role == Role.SHOWER) {
      return showerReceives(message);
    }
    return typerReceives(message);
  }

  /** The paired peer, once {@link State#PAIRED}. */
  public PairedDevice paired(Instant at) {
    if (state != State.PAIRED) {
      throw new IllegalStateException("not paired: " + state);
    }
    return new PairedDevice(Fingerprint.of(peerTlsKeyObject()), peerName, at);
  }

  /** The transcript hash both sides agree on when paired; null before S knows T's key. */
  byte[] transcript() {
    return transcript == null ? null : transcript.clone();
  }

  private List<PairingMessage> showerReceives(PairingMessage message) throws PairingException {
    if (state == State.AWAIT_KEY && message instanceof PairingMessage.Key) {
      PairingMessage.Key key = (PairingMessage.Key) message;
      requireTlsKey(key.publicKey());
      typerKey = key.publicKey();
      typerName = key.name();
      typerNonce = key.nonce();
      peerName = typerName;
      transcript = transcript(showerCommitment, ownKey, ownName, ownNonce, typerKey, typerName,
          typerNonce);
      code = code(transcript);
      state = State.AWAIT_CODE_COMMIT;
      return List.of();
    }
    if (state == State.AWAIT_CODE_COMMIT && message instanceof PairingMessage.CodeCommit) {
      codeCommitment = ((PairingMessage.CodeCommit) message).commitment();
      state = State.AWAIT_OPEN;
      return List.of(new PairingMessage.Reveal(ownKey, ownName, ownNonce));
    }
    if (state == State.AWAIT_OPEN && message instanceof PairingMessage.Open) {
      PairingMessage.Open open = (PairingMessage.Open) message;
      byte[] expected = codeCommitment(showerCommitment, ownKey, typerKey, typerName, typerNonce,
          open.code(), open.salt());
      if (!MessageDigest.isEqual(expected, codeCommitment)) {
        throw fail(PairingException.Reason.BROKEN_COMMITMENT,
            "the typed code opened does not match the commitment made before the code was known");
      }
      if (!MessageDigest.isEqual(bytes(open.code()), bytes(code))) {
        throw fail(PairingException.Reason.WRONG_CODE, "the code typed is not the code shown");
      }
      state = State.PAIRED;
      return List.of(new PairingMessage.Done(transcript));
    }
    throw unexpected(message);
  }

  private List<PairingMessage> typerReceives(PairingMessage message) throws PairingException {
    if (state == State.AWAIT_COMMIT && message instanceof PairingMessage.Commit) {
      showerCommitment = ((PairingMessage.Commit) message).commitment();
      ownNonce = nonce();
      state = State.AWAIT_TYPED_CODE;
      return List.of(new PairingMessage.Key(ownKey, ownName, ownNonce));
    }
    if (state == State.AWAIT_REVEAL && message instanceof PairingMessage.Reveal) {
      PairingMessage.Reveal reveal = (PairingMessage.Reveal) message;
      requireTlsKey(reveal.publicKey());
      if (!MessageDigest.isEqual(commitment(reveal.publicKey(), reveal.name(), reveal.nonce()),
          showerCommitment)) {
        throw fail(PairingException.Reason.BROKEN_COMMITMENT,
            "the revealed key and nonce do not match the commitment made before ours");
      }
      peerName = reveal.name();
      transcript = transcript(showerCommitment, reveal.publicKey(), reveal.name(), reveal.nonce(),
          ownKey, ownName, ownNonce);
      code = code(transcript);
      if (!MessageDigest.isEqual(bytes(typedCode), bytes(code))) {
        throw fail(PairingException.Reason.WRONG_CODE, "the code typed is not the code shown");
      }
      state = State.AWAIT_DONE;
      return List.of(new PairingMessage.Open(typedCode, typedSalt));
    }
    if (state == State.AWAIT_DONE && message instanceof PairingMessage.Done) {
      if (!MessageDigest.isEqual(((PairingMessage.Done) message).transcript(), transcript)) {
        throw fail(PairingException.Reason.PROTOCOL, "the transcripts differ");
      }
      state = State.PAIRED;
      return List.of();
    }
    throw unexpected(message);
  }

  private void requireTlsKey(byte[] key) throws PairingException {
    if (!MessageDigest.isEqual(key, peerTlsKey)) {
      throw fail(PairingException.Reason.KEY_MISMATCH,
          "the key in the exchange is not the key of the TLS connection");
    }
    if (MessageDigest.isEqual(key, ownKey)) {
      throw fail(PairingException.Reason.KEY_MISMATCH, "the peer presents our own key");
    }
  }

  private void expect(State expected, String what) throws PairingException {
    if (state == State.FAILED) {
      throw failure;
    }
    if (state != expected) {
      throw fail(PairingException.Reason.PROTOCOL, what + " in state " + state);
    }
  }

  private PairingException unexpected(PairingMessage message) {
    return fail(PairingException.Reason.PROTOCOL,
        message.getClass().getSimpleName() + " in state " + state);
  }

  private PairingException fail(PairingException.Reason reason, String why) {
    state = State.FAILED;
    failure = new PairingException(reason, why);
    return failure;
  }

  private byte[] nonce() {
    byte[] nonce = new byte[PairingMessage.HASH_BYTES];
    random.nextBytes(nonce);
    return nonce;
  }

  private PublicKey peerTlsKeyObject() {
    try {
      return java.security.KeyFactory.getInstance(DeviceCertificate.KEY_ALGORITHM)
          .generatePublic(new java.security.spec.X509EncodedKeySpec(peerTlsKey));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("the TLS peer key no longer decodes", e);
    }
  }

  static byte[] commitment(byte[] key, String name, byte[] nonce) {
    return hash("tandem/pairing/v1/commit", key, bytes(name), nonce);
  }

  static byte[] codeCommitment(byte[] showerCommitment, byte[] showerKey, byte[] typerKey,
      String typerName, byte[] typerNonce, String typed, byte[] salt) {
    return hash("tandem/pairing/v1/typed-code", showerCommitment, showerKey, typerKey,
        bytes(typerName), typerNonce, bytes(typed), salt);
  }

  static byte[] transcript(byte[] showerCommitment, byte[] showerKey, String showerName,
      byte[] showerNonce, byte[] typerKey, String typerName, byte[] typerNonce) {
    return hash("tandem/pairing/v1/transcript", showerCommitment, showerKey, bytes(showerName),
        showerNonce, typerKey, bytes(typerName), typerNonce);
  }

  /** Six decimal digits from the transcript: 64 bits reduced mod 10^6 (bias below 2^-44). */
  static String code(byte[] transcript) {
    long bits = ByteBuffer.wrap(hash("tandem/pairing/v1/code", transcript)).getLong();
    return String.format("%06d", Long.remainderUnsigned(bits, CODE_SPACE));
  }

  /** SHA-256 over a label and length-prefixed parts, so no two inputs share an encoding. */
  private static byte[] hash(String label, byte[]... parts) {
    byte[][] framed = new byte[parts.length + 1][];
    framed[0] = lengthPrefixed(bytes(label));
    for (int i = 0; i < parts.length; i++) {
      framed[i + 1] = lengthPrefixed(parts[i]);
    }
    return Fingerprint.sha256(framed);
  }

  private static byte[] lengthPrefixed(byte[] part) {
    return ByteBuffer.allocate(4 + part.length).putInt(part.length).put(part).array();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
