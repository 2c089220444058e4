package io.tandem.transport.vertx;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A device's identity: the SHA-256 of its public key's DER SubjectPublicKeyInfo, as 64 lowercase
 * hex digits. It depends on the key only, never on a certificate's subject, serial or dates, so
 * two certificates over one key have one fingerprint and a certificate that copies another
 * device's subject over a new key has another.
 */
public record Fingerprint(String hex) {

  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  public Fingerprint {
    if (hex == null || !HEX64.matcher(hex).matches()) {
      throw new IllegalArgumentException("a fingerprint is 64 lowercase hex digits: " + hex);
    }
  }

  /** The fingerprint of {@code key}. */
  public static Fingerprint of(PublicKey key) {
    return new Fingerprint(HexFormat.of().formatHex(sha256(key.getEncoded())));
  }

  /** The fingerprint of the key a certificate carries. */
  public static Fingerprint of(X509Certificate certificate) {
    return of(certificate.getPublicKey());
  }

  /** The first 16 hex digits, for logs and screens; never for a trust decision. */
  public String abbreviated() {
    return hex.substring(0, 16);
  }

  @Override
  public String toString() {
    return hex;
  }

  static byte[] sha256(byte[]... parts) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (byte[] part : parts) {
        digest.update(part);
      }
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
