package io.tandem.crdt.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Today's encoders still write the bytes and text of format v1 kept in codec-vectors/v1, and
 * those files still decode to the values they were made from. A failure here means stored data
 * or a peer on an older build would no longer be understood.
 *
 * <p>To regenerate after a deliberate format change (bump the version instead, if data exists):
 * {@code mvn -pl crdt-core test -Dtest=GoldenVectorsTest -Dtandem.writeVectors=true}.
 */
class GoldenVectorsTest {

  private static final String DIR = "codec-vectors/v1/";

  static Stream<String> names() {
    return GoldenValues.all().keySet().stream();
  }

  @ParameterizedTest
  @MethodSource("names")
  void encoderWritesTheGoldenBytes(String name) throws IOException {
    assertThat(BinaryCodec.encode(GoldenValues.all().get(name))).isEqualTo(resource(name + ".bin"));
  }

  @ParameterizedTest
  @MethodSource("names")
  void goldenBytesDecodeToTheirValue(String name) throws Exception {
    Object expected = GoldenValues.all().get(name);
    Object decoded = BinaryCodec.decode(resource(name + ".bin"));
    assertThat(decoded).isEqualTo(expected);
    assertThat(Codecs.isDelta(decoded)).isEqualTo(Codecs.isDelta(expected));
  }

  @ParameterizedTest
  @MethodSource("names")
  void encoderWritesTheGoldenJson(String name) throws IOException {
    assertThat(JsonCodec.encode(GoldenValues.all().get(name)) + "\n").isEqualTo(text(name));
  }

  @ParameterizedTest
  @MethodSource("names")
  void goldenJsonDecodesToItsValue(String name) throws Exception {
    Object expected = GoldenValues.all().get(name);
    Object decoded = JsonCodec.decode(text(name));
    assertThat(decoded).isEqualTo(expected);
    assertThat(Codecs.isDelta(decoded)).isEqualTo(Codecs.isDelta(expected));
  }

  @Test
  void everyTypeHasAVector() {
    assertThat(GoldenValues.all().keySet()).contains("lww-register", "mv-register", "or-set",
        "or-map", "g-counter", "pn-counter", "version-vector", "causal-context");
  }

  /** Writes the vectors into the source tree; run only on request. */
  @Test
  @EnabledIfSystemProperty(named = "tandem.writeVectors", matches = "true")
  void writeVectors() throws IOException {
    Path dir = Path.of("src/test/resources", DIR);
    Files.createDirectories(dir);
    for (Map.Entry<String, Object> e : GoldenValues.all().entrySet()) {
      Files.write(dir.resolve(e.getKey() + ".bin"), BinaryCodec.encode(e.getValue()));
      Files.writeString(dir.resolve(e.getKey() + ".json"), JsonCodec.encode(e.getValue()) + "\n");
    }
  }

  private static byte[] resource(String file) throws IOException {
    try (InputStream in = GoldenVectorsTest.class.getResourceAsStream("/" + DIR + file)) {
      assertThat(in).as("vector %s (write it with -Dtandem.writeVectors=true)", file).isNotNull();
      return in.readAllBytes();
    }
  }

  private static String text(String name) throws IOException {
    return new String(resource(name + ".json"), StandardCharsets.UTF_8);
  }
}
