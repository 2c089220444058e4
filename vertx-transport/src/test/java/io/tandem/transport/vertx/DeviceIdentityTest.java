package io.tandem.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceIdentityTest {

  @TempDir Path dir;

  @Test
  void identityIsMadeOnFirstStartAndKeptAcrossRestarts() throws Exception {
    DeviceIdentity first = DeviceIdentity.loadOrCreate(dir, "phone");
    DeviceIdentity again = DeviceIdentity.loadOrCreate(dir, "another name is ignored");

    assertThat(again.fingerprint()).isEqualTo(first.fingerprint());
    assertThat(again.name()).isEqualTo("phone");
    assertThat(again.certificate()).isEqualTo(first.certificate());
    assertThat(Files.exists(dir.resolve(DeviceIdentity.FILE_NAME))).isTrue();
    assertThat(Files.exists(dir.resolve(DeviceIdentity.FILE_NAME + ".tmp"))).isFalse();
  }

  @Test
  void fingerprintIsTheSha256OfTheSubjectPublicKeyInfo() throws Exception {
    DeviceIdentity identity = DeviceIdentity.loadOrCreate(dir, "pc");
    byte[] spki = identity.certificate().getPublicKey().getEncoded();

    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spki));
    assertThat(identity.fingerprint().hex()).isEqualTo(expected);
  }

  @Test
  void selfSignedCertificateIsValidDerThatTheJdkVerifies() throws Exception {
    DeviceIdentity identity = DeviceIdentity.loadOrCreate(dir, "tablet ü");

    identity.certificate().verify(identity.certificate().getPublicKey());
    assertThat(identity.certificate().getVersion()).isEqualTo(3);
    assertThat(identity.certificate().getSigAlgName()).isEqualTo("SHA256withECDSA");
    assertThat(identity.certificate().getSubjectX500Principal().getName())
        .isEqualTo("CN=tablet ü");
    assertThat(identity.certificate().getSerialNumber().signum()).isEqualTo(1);
  }

  @Test
  void corruptedFileGivesATypedErrorAndIsLeftUntouched() throws Exception {
    DeviceIdentity.loadOrCreate(dir, "phone");
    Path file = dir.resolve(DeviceIdentity.FILE_NAME);
    byte[] bytes = Files.readAllBytes(file);
    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length / 2);
    Files.write(file, truncated);

    assertThatThrownBy(() -> DeviceIdentity.loadOrCreate(dir, "phone"))
        .isInstanceOfSatisfying(IdentityException.class,
            e -> assertThat(e.reason()).isEqualTo(IdentityException.Reason.CORRUPTED));
    assertThat(Files.readAllBytes(file)).isEqualTo(truncated);
  }

  @Test
  void bitFlipsAcrossTheFileAreRefusedOrYieldTheSameIdentity() throws Exception {
    Fingerprint original = DeviceIdentity.loadOrCreate(dir, "phone").fingerprint();
    Path file = dir.resolve(DeviceIdentity.FILE_NAME);
    byte[] bytes = Files.readAllBytes(file);
    for (int i = 0; i < bytes.length; i += Math.max(1, bytes.length / 24)) {
      byte[] flipped = bytes.clone();
      flipped[i] ^= 0x10;
      Files.write(file, flipped);
      try {
        // PKCS12's MAC covers the content: a flip is refused, never a different key.
        assertThat(DeviceIdentity.loadOrCreate(dir, "phone").fingerprint()).isEqualTo(original);
      } catch (IdentityException refused) {
        assertThat(refused.reason()).isIn(IdentityException.Reason.CORRUPTED,
            IdentityException.Reason.FOREIGN);
      }
    }
  }

  @Test
  void foreignPkcs12FileGivesATypedError() throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    char[] password = "tandem-device-identity".toCharArray();
    store.setEntry("someone-else", new KeyStore.SecretKeyEntry(
        new SecretKeySpec(new byte[16], "AES")), new KeyStore.PasswordProtection(password));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    store.store(out, password);
    Files.write(dir.resolve(DeviceIdentity.FILE_NAME), out.toByteArray());

    assertThatThrownBy(() -> DeviceIdentity.loadOrCreate(dir, "phone"))
        .isInstanceOfSatisfying(IdentityException.class,
            e -> assertThat(e.reason()).isEqualTo(IdentityException.Reason.FOREIGN));
  }

  @Test
  void fileUnderAnotherPasswordGivesATypedError() throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    store.store(out, "not ours".toCharArray());
    Files.write(dir.resolve(DeviceIdentity.FILE_NAME), out.toByteArray());

    assertThatThrownBy(() -> DeviceIdentity.loadOrCreate(dir, "phone"))
        .isInstanceOf(IdentityException.class);
  }
}
