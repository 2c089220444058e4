package io.tandem.transport.vertx;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Objects;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * This device's key pair and self-signed certificate, made on first start and kept in the
 * device's data directory as {@value #FILE_NAME} (PKCS12). Its {@link Fingerprint} is the
 * device's identity for as long as the file lives.
 *
 * <p>The key is EC P-256 (secp256r1) signed with ECDSA/SHA-256: the signature scheme every TLS
 * 1.3 stack, SunJSSE on JDK 17 included, negotiates. The file is written once, atomically
 * (temporary file, force, rename). A file that exists but does not decode, or holds something
 * else than one Tandem device key, is refused with an {@link IdentityException}; it is never
 * replaced by a new identity, because a new key silently undoes every pairing.
 *
 * <p>The PKCS12 password is a fixed constant, not a secret: PKCS12 requires one, and the key's
 * protection is the data directory's file permissions (owner-only where the file system has
 * POSIX permissions), as for an SSH host key.
 */
public final class DeviceIdentity {

  /** The identity file's name inside the data directory. */
  public static final String FILE_NAME = "device-identity.p12";
  static final String ALIAS = "tandem-device";
  private static final char[] PASSWORD = "tandem-device-identity".toCharArray();
  private static final int MAX_NAME_LENGTH = 64;
  private static final System.Logger LOG = System.getLogger(DeviceIdentity.class.getName());

  private final PrivateKey privateKey;
  private final X509Certificate certificate;
  private final Fingerprint fingerprint;
  private final String name;

  private DeviceIdentity(PrivateKey privateKey, X509Certificate certificate) {
    this.privateKey = privateKey;
    this.certificate = certificate;
    this.fingerprint = Fingerprint.of(certificate);
    this.name = commonName(certificate);
  }

  /**
   * Loads the identity kept in {@code directory}, or makes and keeps one if there is none.
   *
   * @param deviceName a name for humans (at most 64 characters), used only when the identity is
   *     made; a kept identity keeps the name it was made with
   * @throws IdentityException if the file exists but is corrupted or foreign, or on I/O failure
   */
  public static DeviceIdentity loadOrCreate(Path directory, String deviceName)
      throws IdentityException {
    Path file = directory.resolve(FILE_NAME);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException absent) {
      return create(file, deviceName, new SecureRandom());
    } catch (IOException e) {
      throw new IdentityException(IdentityException.Reason.IO, "cannot read " + file, e);
    }
    return decode(file, bytes);
  }

  /** Makes a new identity in memory only: for tests and for tools that keep no state. */
  static DeviceIdentity generate(String deviceName, SecureRandom random)
      throws GeneralSecurityException {
    checkName(deviceName);
    KeyPairGenerator generator = KeyPairGenerator.getInstance(DeviceCertificate.KEY_ALGORITHM);
    generator.initialize(new ECGenParameterSpec("secp256r1"), random);
    KeyPair keys = generator.generateKeyPair();
    X509Certificate certificate =
        DeviceCertificate.selfSigned(keys, deviceName, Instant.now(), random);
    return new DeviceIdentity(keys.getPrivate(), certificate);
  }

  public Fingerprint fingerprint() {
    return fingerprint;
  }

  /** The name the device was made with (its certificate's common name). */
  public String name() {
    return name;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** A key manager that presents this device's certificate as client and as server. */
  public X509ExtendedKeyManager keyManager() {
    return new DeviceKeyManager(privateKey, certificate);
  }

  @Override
  public String toString() {
    return "DeviceIdentity[" + name + ", " + fingerprint.abbreviated() + "]";
  }

  private static DeviceIdentity create(Path file, String deviceName, SecureRandom random)
      throws IdentityException {
    try {
      DeviceIdentity identity = generate(deviceName, random);
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(ALIAS, identity.privateKey, PASSWORD,
          new Certificate[] {identity.certificate});
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      store.store(out, PASSWORD);
      AtomicFiles.write(file, out.toByteArray());
      restrictToOwner(file);
      LOG.log(System.Logger.Level.INFO, "made device identity {0} in {1}", identity, file);
      return identity;
    } catch (IOException e) {
      throw new IdentityException(IdentityException.Reason.IO, "cannot write " + file, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot make an EC P-256 identity", e);
    }
  }

  private static DeviceIdentity decode(Path file, byte[] bytes) throws IdentityException {
    KeyStore store;
    try {
      store = KeyStore.getInstance("PKCS12");
      store.load(new ByteArrayInputStream(bytes), PASSWORD);
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException) {
        throw refused(IdentityException.Reason.FOREIGN, file, "another password protects it", e);
      }
      throw refused(IdentityException.Reason.CORRUPTED, file, "not a readable PKCS12 file", e);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw refused(IdentityException.Reason.CORRUPTED, file, "not a readable PKCS12 file", e);
    }
    try {
      if (store.size() != 1 || !store.isKeyEntry(ALIAS)) {
        throw refused(IdentityException.Reason.FOREIGN, file,
            "it does not hold exactly one '" + ALIAS + "' key", null);
      }
      Key key = store.getKey(ALIAS, PASSWORD);
      Certificate certificate = store.getCertificate(ALIAS);
      if (!(key instanceof ECPrivateKey) || !(certificate instanceof X509Certificate)) {
        throw refused(IdentityException.Reason.FOREIGN, file, "its key is not an EC key", null);
      }
      if (!keysMatch((PrivateKey) key, (X509Certificate) certificate)) {
        throw refused(IdentityException.Reason.FOREIGN, file,
            "its certificate is for another key", null);
      }
      return new DeviceIdentity((PrivateKey) key, (X509Certificate) certificate);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw refused(IdentityException.Reason.CORRUPTED, file, "its key entry does not decode", e);
    }
  }

  /** Signs a challenge and verifies it with the certificate's key: a mismatch cannot pass. */
  private static boolean keysMatch(PrivateKey key, X509Certificate certificate)
      throws GeneralSecurityException {
    byte[] challenge = "tandem identity self-check".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Signature signer = Signature.getInstance(DeviceCertificate.SIGNATURE_ALGORITHM);
    signer.initSign(key);
    signer.update(challenge);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(DeviceCertificate.SIGNATURE_ALGORITHM);
    verifier.initVerify(certificate.getPublicKey());
    verifier.update(challenge);
    return verifier.verify(signature);
  }

  private static IdentityException refused(IdentityException.Reason reason, Path file,
      String why, Throwable cause) {
    IdentityException e = new IdentityException(reason,
        file + " is not a usable device identity: " + why
            + "; it was left untouched and no new identity was made", cause);
    LOG.log(System.Logger.Level.ERROR, e.getMessage());
    return e;
  }

  private static void restrictToOwner(Path file) throws IOException {
    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(file,
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }
  }

  private static void checkName(String deviceName) {
    Objects.requireNonNull(deviceName, "deviceName");
    if (deviceName.isBlank() || deviceName.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("a device name has 1 to 64 characters: " + deviceName);
    }
  }

  private static String commonName(X509Certificate certificate) {
    String subject = certificate.getSubjectX500Principal().getName();
    return subject.startsWith("CN=") ? subject.substring(3) : subject;
  }
}
