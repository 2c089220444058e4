package io.tandem.transport.vertx;

import java.util.Objects;

/**
 * The pairing exchange's messages, in the order they travel (docs/PAIRING.md). S shows the code,
 * T is where the user types it:
 * <ol>
 *   <li>S→T {@link Commit}: H(pkS, nameS, nS), S's commitment to its key and nonce.
 *   <li>T→S {@link Key}: pkT, nameT, nT in the clear. S now shows the code derived from all.
 *   <li>T→S {@link CodeCommit}: H(view of T, typed code, rT), made when the user typed the code.
 *   <li>S→T {@link Reveal}: pkS, nameS, nS. T checks the commitment and compares the code.
 *   <li>T→S {@link Open}: the typed code and rT. S checks the commitment and the code, and pins.
 *   <li>S→T {@link Done}: the transcript hash. T pins.
 * </ol>
 * {@link Abort} ends the exchange from either side with a reason. Byte arrays are kept as given:
 * these are wire values, compared by the session, not by {@code equals}.
 */
public sealed interface PairingMessage {

  /** Nonces, salts, commitments and hashes are all this long. */
  int HASH_BYTES = 32;
  /** An encoded EC public key (SubjectPublicKeyInfo) is at most this long. */
  int MAX_KEY_BYTES = 512;

  record Commit(byte[] commitment) implements PairingMessage {
    public Commit {
      requireHash(commitment);
    }
  }

  record Key(byte[] publicKey, String name, byte[] nonce) implements PairingMessage {
    public Key {
      requireKey(publicKey, name);
      requireHash(nonce);
    }
  }

  record CodeCommit(byte[] commitment) implements PairingMessage {
    public CodeCommit {
      requireHash(commitment);
    }
  }

  record Reveal(byte[] publicKey, String name, byte[] nonce) implements PairingMessage {
    public Reveal {
      requireKey(publicKey, name);
      requireHash(nonce);
    }
  }

  record Open(String code, byte[] salt) implements PairingMessage {
    public Open {
      Objects.requireNonNull(code, "code");
      if (code.length() > 16) {
        throw new IllegalArgumentException("a code has at most 16 characters");
      }
      requireHash(salt);
    }
  }

  record Done(byte[] transcript) implements PairingMessage {
    public Done {
      requireHash(transcript);
    }
  }

  record Abort(PairingException.Reason reason) implements PairingMessage {
    public Abort {
      Objects.requireNonNull(reason, "reason");
    }
  }

  private static void requireHash(byte[] bytes) {
    if (bytes == null || bytes.length != HASH_BYTES) {
      throw new IllegalArgumentException("expected " + HASH_BYTES + " bytes");
    }
  }

  private static void requireKey(byte[] publicKey, String name) {
    if (publicKey == null || publicKey.length == 0 || publicKey.length > MAX_KEY_BYTES) {
      throw new IllegalArgumentException("a public key has 1 to " + MAX_KEY_BYTES + " bytes");
    }
    Objects.requireNonNull(name, "name");
    if (name.isEmpty() || name.length() > PairedDevice.MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("a device name has 1 to 64 characters");
    }
  }
}
