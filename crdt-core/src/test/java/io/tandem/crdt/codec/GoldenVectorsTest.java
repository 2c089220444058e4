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
 * Today's encoders write the bytes of binary format v2 kept in codec-vectors/v2 and the text of
 * JSON v1 kept in codec-vectors/v1, and every vector ever written, the v1 bytes included, still
 * decodes to the value it was made from. A failure here means stored data or a peer on an older
 * build would no longer be understood.
 *
 * <p>To regenerate after a deliberate format change (bump the version instead, if data exists):
 * {@code mvn -pl crdt-core test -Dtest=GoldenVectorsTest -Dtandem.writeVectors=true}. It writes
 * the v2 bytes and the JSON text only: the v1 bytes are history and stay as they are.
 */
class GoldenVectorsTest {

  private static final String V1 = "codec-vectors/v1/";
  private static final String V2 = "codec-vectors/v2/";
  /** The file of a v2 vector written with its origin left implicit. */
  private static final String WITH_ORIGIN = "or-map-delta.origin-tablet";

  static Stream<String> names() {
    return GoldenValues.all().keySet().stream();
  }

  static Stream<String> v2Names() {
    return GoldenValues.v2().keySet().stream();
  }

  @ParameterizedTest
  @MethodSource("v2Names")
  void encoderWritesTheGoldenV2Bytes(String name) throws IOException {
    assertThat(BinaryCodec.encode(GoldenValues.v2().get(name)))
        .isEqualTo(resource(V2 + name + ".bin"));
  }

  @ParameterizedTest
  @MethodSource("v2Names")
  void goldenV2BytesDecodeToTheirValue(String name) throws Exception {
    assertDecodes(resource(V2 + name + ".bin"), GoldenValues.v2().get(name));
  }

  @ParameterizedTest
  @MethodSource("names")
  void goldenV1BytesStillDecodeToTheirValue(String name) throws Exception {
    assertDecodes(resource(V1 + name + ".bin"), GoldenValues.all().get(name));
  }

  @Test
  void largeValuesAreWrittenInColumns() throws IOException {
    for (String name : GoldenValues.columnar().keySet()) {
      assertThat(resource(V2 + name + ".bin")[0] & BinaryEncoder.COLUMNAR).as(name).isNotZero();
    }
  }

  @Test
  void aDeltaWithItsOriginLeftImplicitDecodesGivenTheOrigin() throws Exception {
    Object delta = GoldenValues.all().get("or-map-delta");
    byte[] bytes = resource(V2 + WITH_ORIGIN + ".bin");
    assertThat(BinaryCodec.encode(delta, GoldenValues.TABLET)).isEqualTo(bytes);
    assertThat(bytes.length).isEqualTo(BinaryCodec.encode(delta).length - 8);
    assertThat(BinaryCodec.decode(bytes, GoldenValues.TABLET)).isEqualTo(delta);
    assertThat(Codecs.binaryFailure(bytes)).isEqualTo(CodecException.Reason.INVALID);
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

  /** Writes the v2 bytes and the JSON text into the source tree; run only on request. */
  @Test
  @EnabledIfSystemProperty(named = "tandem.writeVectors", matches = "true")
  void writeVectors() throws IOException {
    Path v1 = Path.of("src/test/resources", V1);
    Path v2 = Path.of("src/test/resources", V2);
    Files.createDirectories(v2);
    for (Map.Entry<String, Object> e : GoldenValues.v2().entrySet()) {
      Files.write(v2.resolve(e.getKey() + ".bin"), BinaryCodec.encode(e.getValue()));
    }
    Files.write(v2.resolve(WITH_ORIGIN + ".bin"),
        BinaryCodec.encode(GoldenValues.all().get("or-map-delta"), GoldenValues.TABLET));
    for (Map.Entry<String, Object> e : GoldenValues.all().entrySet()) {
      Files.writeString(v1.resolve(e.getKey() + ".json"), JsonCodec.encode(e.getValue()) + "\n");
    }
  }

  private static void assertDecodes(byte[] bytes, Object expected) throws CodecException {
    Object decoded = BinaryCodec.decode(bytes);
    assertThat(decoded).isEqualTo(expected);
    assertThat(Codecs.isDelta(decoded)).isEqualTo(Codecs.isDelta(expected));
  }

  private static byte[] resource(String file) throws IOException {
    try (InputStream in = GoldenVectorsTest.class.getResourceAsStream("/" + file)) {
      assertThat(in).as("vector %s (write it with -Dtandem.writeVectors=true)", file).isNotNull();
      return in.readAllBytes();
    }
  }

  private static String text(String name) throws IOException {
    return new String(resource(V1 + name + ".json"), StandardCharsets.UTF_8);
  }
}
