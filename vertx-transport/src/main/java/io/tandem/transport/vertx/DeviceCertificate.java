package io.tandem.transport.vertx;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;

/**
 * A self-signed X.509 v3 certificate over a device's EC P-256 key, encoded here in DER and signed
 * with ECDSA over SHA-256 (RFC 5280, RFC 5758). TLS needs a certificate to carry the key; nothing
 * else in it matters to trust, which is the pinned key alone: the subject is only the device's
 * name for humans, and the validity runs to 9999-12-31 (RFC 5280's "no well-defined expiration").
 */
final class DeviceCertificate {

  static final String KEY_ALGORITHM = "EC";
  static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
  private static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
  private static final String COMMON_NAME = "2.5.4.3";
  private static final Instant NO_EXPIRY = Instant.parse("9999-12-31T23:59:59Z");

  private DeviceCertificate() {}

  static X509Certificate selfSigned(KeyPair keys, String commonName, Instant notBefore,
      SecureRandom random) throws GeneralSecurityException {
    byte[] algorithm = Der.sequence(Der.oid(ECDSA_WITH_SHA256));
    byte[] name = Der.sequence(Der.set(Der.sequence(Der.oid(COMMON_NAME),
        Der.utf8String(commonName))));
    // 16 random bytes, high bit cleared: a positive serial of at most 20 octets (RFC 5280 4.1.2.2)
    byte[] serial = new byte[16];
    random.nextBytes(serial);
    serial[0] &= 0x7F;
    byte[] tbs = Der.sequence(
        Der.explicit(0, Der.integer(BigInteger.TWO)), // v3
        Der.integer(new BigInteger(1, serial).max(BigInteger.ONE)),
        algorithm,
        name,
        Der.sequence(Der.time(notBefore), Der.time(NO_EXPIRY)),
        name,
        keys.getPublic().getEncoded()); // already a DER SubjectPublicKeyInfo
    Signature signer = Signature.getInstance(SIGNATURE_ALGORITHM);
    signer.initSign(keys.getPrivate(), random);
    signer.update(tbs);
    byte[] certificate = Der.sequence(tbs, algorithm, Der.bitString(signer.sign()));
    X509Certificate parsed = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(certificate));
    parsed.verify(keys.getPublic()); // our own encoding, checked by the JDK's parser
    return parsed;
  }
}
