package io.tandem.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustedDevicesTest {

  private static final Fingerprint TABLET = new Fingerprint("ab".repeat(32));
  private static final Fingerprint PC = new Fingerprint("cd".repeat(32));
  private static final Instant AT = Instant.parse("2026-11-23T20:00:00Z");

  @TempDir Path dir;

  @Test
  void pinnedDevicesAreTrustedAndKeptAcrossRestarts() throws Exception {
    TrustedDevices trusted = TrustedDevices.open(dir);
    assertThat(trusted.isTrusted(TABLET)).isFalse();
    trusted.pin(new PairedDevice(TABLET, "tablet  with spaces ü", AT));
    trusted.pin(new PairedDevice(PC, "pc", AT.plusSeconds(1)));

    TrustedDevices reopened = TrustedDevices.open(dir);
    assertThat(reopened.isTrusted(TABLET)).isTrue();
    assertThat(reopened.devices()).containsExactly(
        new PairedDevice(TABLET, "tablet  with spaces ü", AT),
        new PairedDevice(PC, "pc", AT.plusSeconds(1)));
  }

  @Test
  void revokedKeyIsNeverTrustedAgainEvenAfterRestart() throws Exception {
    TrustedDevices trusted = TrustedDevices.open(dir);
    trusted.pin(new PairedDevice(TABLET, "tablet", AT));
    assertThat(trusted.revoke(TABLET, AT.plusSeconds(60))).isTrue();
    assertThat(trusted.revoke(TABLET, AT.plusSeconds(61))).isFalse();

    TrustedDevices reopened = TrustedDevices.open(dir);
    assertThat(reopened.isTrusted(TABLET)).isFalse();
    assertThat(reopened.refusalFor(TABLET)).contains(Refusal.Reason.REVOKED);
    assertThat(reopened.devices()).isEmpty();
    assertThatThrownBy(() -> reopened.pin(new PairedDevice(TABLET, "tablet", AT)))
        .isInstanceOf(IllegalStateException.class);
    assertThat(reopened.isTrusted(TABLET)).isFalse();
  }

  @Test
  void unknownKeyIsRefusedAsUnpaired() throws Exception {
    assertThat(TrustedDevices.open(dir).refusalFor(PC)).contains(Refusal.Reason.UNPAIRED);
  }

  @Test
  void corruptedTrustFileGivesATypedErrorInsteadOfAnEmptySet() throws Exception {
    TrustedDevices.open(dir).revoke(TABLET, AT);
    Path file = dir.resolve(TrustedDevices.FILE_NAME);
    String good = Files.readString(file);

    for (String bad : new String[] {
        good.substring(0, good.length() - 1), // the last line is cut
        good.replace("revoked", "revoke"),
        good.replace(TABLET.hex(), "zz" + TABLET.hex().substring(2)),
        "tandem-trusted-devices 9\n",
        "\u0000\u0001garbage"}) {
      Files.write(file, bad.getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> TrustedDevices.open(dir))
          .isInstanceOfSatisfying(IdentityException.class,
              e -> assertThat(e.reason()).isEqualTo(IdentityException.Reason.CORRUPTED));
    }
  }
}
