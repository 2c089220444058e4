package io.tandem.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.strings;

import io.tandem.transport.vertx.Announcement.MalformedAnnouncementException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** The announcement codec: round trips, and refuses every lie with a typed error. */
class AnnouncementTest {

  private static final int EXAMPLES = Integer.getInteger("tandem.examples", 1000);

  private static Gen<String> devices() {
    String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:._-";
    return integers().between(1, Announcement.MAX_DEVICE).zip(integers().all(), (n, seed) -> {
      Random r = new Random(seed);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < n; i++) {
        sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
      return sb.toString();
    });
  }

  @Test
  void roundTripIsIdentity() {
    qt().withExamples(EXAMPLES).forAll(devices(), integers().between(1, 65535))
        .checkAssert((device, port) -> {
          Announcement a = new Announcement(device, port);
          try {
            assertThat(Announcement.decode(a.encode())).isEqualTo(a);
          } catch (MalformedAnnouncementException e) {
            throw new AssertionError(e);
          }
        });
  }

  @Test
  void anyBytesDecodeOrThrowTheTypedError() {
    qt().withExamples(EXAMPLES * 10).forAll(integers().between(0, 200), integers().all())
        .checkAssert((n, seed) -> {
          byte[] b = new byte[n];
          new Random(seed).nextBytes(b);
          if (n >= 4 && seed % 2 == 0) {
            System.arraycopy(new byte[] {'T', 'N', 'D', 'A', 1}, 0, b, 0, Math.min(5, n));
          }
          try {
            Announcement a = Announcement.decode(b);
            assertThat(a.encode()).isEqualTo(b);
          } catch (MalformedAnnouncementException expected) {
            assertThat(expected.getMessage()).isNotBlank();
          }
        });
  }

  @Test
  void deviceLengthThatLiesIsRefused() {
    byte[] b = new Announcement("pc", 47470).encode();
    b[7] = 100;
    assertThatThrownBy(() -> Announcement.decode(b))
        .isInstanceOf(MalformedAnnouncementException.class).hasMessageContaining("100");
  }

  @Test
  void deviceNameWithAControlCharacterIsRefused() {
    byte[] b = new Announcement("pc", 47470).encode();
    b[8] = '\n';
    assertThatThrownBy(() -> Announcement.decode(b))
        .isInstanceOf(MalformedAnnouncementException.class);
  }

  @Test
  void otherVersionIsRefused() {
    byte[] b = new Announcement("pc", 47470).encode();
    b[4] = 2;
    assertThatThrownBy(() -> Announcement.decode(b))
        .isInstanceOf(MalformedAnnouncementException.class).hasMessageContaining("version 2");
  }

  @Test
  void stringsOfOtherCharactersAreNoDeviceNames() {
    qt().withExamples(200).forAll(strings().allPossible().ofLengthBetween(1, 10))
        .assuming(s -> !s.matches("[A-Za-z0-9:._-]+"))
        .checkAssert(s -> assertThatThrownBy(() -> new Announcement(s, 1))
            .isInstanceOf(IllegalArgumentException.class));
  }
}
