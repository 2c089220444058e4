package io.tandem.crdt.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.crdt.codec.CodecException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The inputs kept under resources/hostile fail with the reason each one deserves. */
class HostileInputTest {

  static Stream<Arguments> binaryFiles() {
    return Map.ofEntries(
        Map.entry("count-overflow", Reason.LIMIT_EXCEEDED),
        Map.entry("count-exceeds-input", Reason.TRUNCATED),
        Map.entry("unknown-type", Reason.UNKNOWN_TYPE),
        Map.entry("version-2", Reason.UNSUPPORTED_VERSION),
        Map.entry("varint-overflow", Reason.MALFORMED),
        Map.entry("varint-overlong", Reason.MALFORMED),
        Map.entry("zero-replica", Reason.INVALID),
        Map.entry("replicas-unsorted", Reason.INVALID),
        Map.entry("unused-replica", Reason.INVALID),
        Map.entry("replica-index-out-of-range", Reason.INVALID),
        Map.entry("state-with-marker", Reason.INVALID),
        Map.entry("cloud-dot-in-store", Reason.INVALID),
        Map.entry("store-dot-extends-vector", Reason.INVALID),
        Map.entry("dot-counter-zero", Reason.INVALID),
        Map.entry("elements-out-of-order", Reason.INVALID),
        Map.entry("unknown-flags", Reason.MALFORMED),
        Map.entry("bad-utf8", Reason.MALFORMED),
        Map.entry("string-too-long", Reason.LIMIT_EXCEEDED),
        Map.entry("logical-overflow", Reason.MALFORMED),
        Map.entry("trailing-bytes", Reason.MALFORMED),
        Map.entry("unknown-kind", Reason.UNKNOWN_TYPE),
        Map.entry("deep-map", Reason.LIMIT_EXCEEDED),
        Map.entry("v2-unpacked-length-lie", Reason.TRUNCATED),
        Map.entry("v2-unpacked-over-limit", Reason.LIMIT_EXCEEDED),
        Map.entry("v2-not-deflate", Reason.MALFORMED),
        Map.entry("v2-origin-not-given", Reason.INVALID),
        Map.entry("v2-short-string-long-form", Reason.MALFORMED),
        Map.entry("v2-front-coding-not-longest", Reason.MALFORMED),
        Map.entry("v2-bytes-after-packed", Reason.MALFORMED))
        .entrySet().stream().sorted(Map.Entry.comparingByKey())
        .map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  static Stream<Arguments> jsonFiles() {
    return Map.ofEntries(
        Map.entry("dot-not-in-context", Reason.INVALID),
        Map.entry("unknown-field", Reason.MALFORMED),
        Map.entry("missing-field", Reason.MALFORMED),
        Map.entry("duplicate-field", Reason.MALFORMED),
        Map.entry("trailing-tokens", Reason.MALFORMED),
        Map.entry("nan-token", Reason.MALFORMED),
        Map.entry("unknown-type", Reason.UNKNOWN_TYPE),
        Map.entry("version-2", Reason.UNSUPPORTED_VERSION),
        Map.entry("state-with-marker", Reason.INVALID),
        Map.entry("int-out-of-range", Reason.MALFORMED),
        Map.entry("unknown-kind", Reason.UNKNOWN_TYPE),
        Map.entry("float-counter", Reason.MALFORMED),
        Map.entry("uppercase-replica", Reason.MALFORMED),
        Map.entry("zero-replica", Reason.INVALID),
        Map.entry("repeated-element", Reason.INVALID),
        Map.entry("cloud-next-to-vector", Reason.INVALID))
        .entrySet().stream().sorted(Map.Entry.comparingByKey())
        .map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  @ParameterizedTest(name = "{0}.bin -> {1}")
  @MethodSource("binaryFiles")
  @Timeout(5)
  void hostileBytesFailWithTheirReason(String name, Reason reason) throws IOException {
    CodecException e = catchThrowableOfType(CodecException.class,
        () -> BinaryCodec.decode(resource(name + ".bin")));
    assertThat(e).as(name).isNotNull();
    assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
    assertThat(e.getMessage()).contains("at byte");
  }

  @ParameterizedTest(name = "{0}.json -> {1}")
  @MethodSource("jsonFiles")
  void hostileJsonFailsWithItsReason(String name, Reason reason) throws IOException {
    String text = new String(resource(name + ".json"), StandardCharsets.UTF_8);
    CodecException e = catchThrowableOfType(CodecException.class, () -> JsonCodec.decode(text));
    assertThat(e).as(name).isNotNull();
    assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
  }

  @Test
  void countOverflowFailsWithoutAllocating() throws IOException {
    byte[] bytes = resource("count-overflow.bin");
    CodecLimits unbounded = new CodecLimits(Integer.MAX_VALUE, 64, Integer.MAX_VALUE,
        Integer.MAX_VALUE);
    long before = allocatedBytes();
    Reason r = catchThrowableOfType(CodecException.class,
        () -> BinaryCodec.decode(bytes, unbounded)).reason();
    long allocated = allocatedBytes() - before;
    assertThat(r).isEqualTo(Reason.LIMIT_EXCEEDED);
    assertThat(allocated).as("bytes allocated").isLessThan(1 << 20);
  }

  @Test
  void countBeyondTheInputIsTruncatedWhateverTheLimits() throws IOException {
    byte[] bytes = resource("count-exceeds-input.bin");
    CodecLimits unbounded = new CodecLimits(Integer.MAX_VALUE, 64, Integer.MAX_VALUE,
        Integer.MAX_VALUE);
    Reason r = catchThrowableOfType(CodecException.class,
        () -> BinaryCodec.decode(bytes, unbounded)).reason();
    assertThat(r).isEqualTo(Reason.TRUNCATED);
  }

  @Test
  void deepMapDecodesOnceTheDepthLimitAllowsIt() throws Exception {
    CodecLimits deep = new CodecLimits(1 << 20, 200, 1000, 1000);
    assertThat(BinaryCodec.decode(resource("deep-map.bin"), deep)).isNotNull();
  }

  @Test
  void jsonNestedTenThousandDeepExceedsTheLimit() {
    String arrays = "[".repeat(10_000) + "]".repeat(10_000);
    String objects = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
    String inValue = "{\"type\":\"lww-register\",\"v\":1,\"value\":" + arrays
        + ",\"hlc\":{\"wall\":1,\"logical\":0,\"replica\":\"00000000000000a1\"}}";
    for (String text : new String[] {arrays, objects, inValue}) {
      assertThat(Codecs.jsonFailure(text)).isEqualTo(Reason.LIMIT_EXCEEDED);
    }
  }

  @Test
  void jsonWithATenMegabyteStringExceedsTheLimit() {
    String big = "{\"type\":\"lww-register\",\"v\":1,\"value\":\"" + "x".repeat(10 << 20)
        + "\",\"hlc\":{\"wall\":1,\"logical\":0,\"replica\":\"00000000000000a1\"}}";
    assertThat(Codecs.jsonFailure(big)).isEqualTo(Reason.LIMIT_EXCEEDED);
    // With room for the document, the string limit itself still applies.
    CodecLimits roomy = new CodecLimits(20 << 20, 64, 1000, 1 << 20);
    Reason r = catchThrowableOfType(CodecException.class,
        () -> JsonCodec.decode(big, roomy)).reason();
    assertThat(r).isEqualTo(Reason.LIMIT_EXCEEDED);
  }

  /**
   * Our limit, not Jackson's default (1,000 digits): 65 digits are refused before parsing, 64
   * reach the codec (which refuses a count beyond a long for what it is).
   */
  @Test
  void jsonNumbersLongerThanSixtyFourDigitsExceedTheLimitBeforeTheyAreParsed() {
    assertThat(Codecs.jsonFailure(counterOf("9".repeat(65)))).isEqualTo(Reason.LIMIT_EXCEEDED);
    assertThat(Codecs.jsonFailure(counterOf("9".repeat(64)))).isNotEqualTo(Reason.LIMIT_EXCEEDED);
    String clock = "{\"type\":\"lww-register\",\"v\":1,\"value\":\"x\",\"hlc\":{\"wall\":1."
        + "9".repeat(65) + ",\"logical\":0,\"replica\":\"00000000000000a1\"}}";
    assertThat(Codecs.jsonFailure(clock)).isEqualTo(Reason.LIMIT_EXCEEDED);
  }

  private static String counterOf(String digits) {
    return "{\"type\":\"g-counter\",\"v\":1,\"counts\":{\"00000000000000a1\":" + digits + "}}";
  }

  @Test
  void jsonMapsNestedDeeperThanTheLimitExceedIt() throws Exception {
    String inner = "{\"kind\":\"or-set\",\"entries\":[{\"element\":\"x\",\"dots\":"
        + "[[\"00000000000000a1\",1]]}]}";
    for (int i = 0; i < 100; i++) {
      inner = "{\"kind\":\"or-map\",\"entries\":[{\"key\":\"k\",\"values\":[" + inner + "]}]}";
    }
    String text = "{\"type\":\"or-map\",\"v\":1,\"delta\":false,\"context\":{\"vv\":"
        + "{\"00000000000000a1\":1},\"cloud\":[]},\"entries\":[{\"key\":\"k\",\"values\":["
        + inner + "]}]}";
    assertThat(Codecs.jsonFailure(text)).isEqualTo(Reason.LIMIT_EXCEEDED);
    // A tree parsed elsewhere, past the parser's limits, is still held to the map depth.
    JsonNode tree = new ObjectMapper().readTree(text);
    Reason r = catchThrowableOfType(CodecException.class, () -> JsonCodec.fromJson(tree))
        .reason();
    assertThat(r).isEqualTo(Reason.LIMIT_EXCEEDED);
  }

  @Test
  @Timeout(60)
  void randomBytesBehindAValidHeaderDecodeOrThrowCodecException() {
    Random r = new Random(17);
    int[] types = {1, 2, 3, 4, 5, 6, 16, 17};
    for (int i = 0; i < 200_000; i++) {
      byte[] b = new byte[2 + r.nextInt(24)];
      r.nextBytes(b);
      b[0] = (byte) types[r.nextInt(types.length)];
      b[1] = 1;
      // Small tables and counts reach past the header more often than random bytes do.
      if (b.length > 2 && r.nextBoolean()) {
        b[2] = (byte) r.nextInt(3);
      }
      Codecs.assertDecodesOrThrowsCodecException(b);
    }
  }

  @Test
  void malformedInputIsReportedWithItsPlace() {
    CodecException e = catchThrowableOfType(CodecException.class,
        () -> JsonCodec.decode("{\"type\":\"g-counter\",\"v\":1,\"counts\":{\"00000000000000a1\""
            + ":\"three\"}}"));
    assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(e.getMessage()).contains("$.counts.00000000000000a1");
  }

  private static long allocatedBytes() {
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t) {
      return t.getThreadAllocatedBytes(Thread.currentThread().getId());
    }
    return 0;
  }

  static byte[] resource(String file) throws IOException {
    try (InputStream in = HostileInputTest.class.getResourceAsStream("/hostile/" + file)) {
      assertThat(in).as(file).isNotNull();
      return in.readAllBytes();
    }
  }
}
