package io.tandem.crdt.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tandem.crdt.MvRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.codec.CodecException.Reason;

/** Assertions shared by the codec tests. */
final class Codecs {

  private Codecs() {}

  static boolean isDelta(Object v) {
    return v instanceof OrSet<?> s && s.isDelta() || v instanceof MvRegister<?> r && r.isDelta()
        || v instanceof OrMap<?, ?> m && m.isDelta();
  }

  /**
   * Both codecs give back an equal value, as much a delta as before, whose encodings are the same
   * bytes and text again; and the two formats agree with each other.
   */
  static void assertRoundTrips(Object v) {
    byte[] bytes = BinaryCodec.encode(v);
    Object b = binary(bytes);
    assertThat(b).isEqualTo(v);
    assertThat(b.getClass()).isEqualTo(v.getClass());
    assertThat(isDelta(b)).isEqualTo(isDelta(v));
    assertThat(BinaryCodec.encode(b)).isEqualTo(bytes);
    assertThat(typedBinary(bytes, v.getClass())).isEqualTo(v);

    String text = JsonCodec.encode(v);
    Object j = json(text);
    assertThat(j).isEqualTo(v);
    assertThat(isDelta(j)).isEqualTo(isDelta(v));
    assertThat(JsonCodec.encode(j)).isEqualTo(text);
    assertThat(BinaryCodec.encode(j)).isEqualTo(bytes);
  }

  /**
   * Decoding {@code bytes} either fails with a CodecException or yields a value that encodes and
   * decodes to itself; any other exception escapes and fails the test.
   */
  static void assertDecodesOrThrowsCodecException(byte[] bytes) {
    Object v;
    try {
      v = BinaryCodec.decode(bytes);
    } catch (CodecException e) {
      assertThat(e.reason()).isNotNull();
      return;
    }
    assertThat(binary(BinaryCodec.encode(v))).isEqualTo(v);
    assertThat(json(JsonCodec.encode(v))).isEqualTo(v);
  }

  /** As {@link #assertDecodesOrThrowsCodecException(byte[])}, for JSON text. */
  static void assertDecodesOrThrowsCodecException(String text) {
    Object v;
    try {
      v = JsonCodec.decode(text);
    } catch (CodecException e) {
      assertThat(e.reason()).isNotNull();
      return;
    }
    assertThat(json(JsonCodec.encode(v))).isEqualTo(v);
    assertThat(binary(BinaryCodec.encode(v))).isEqualTo(v);
  }

  static Reason binaryFailure(byte[] bytes) {
    return catchThrowableOfType(CodecException.class, () -> BinaryCodec.decode(bytes)).reason();
  }

  static Reason jsonFailure(String text) {
    return catchThrowableOfType(CodecException.class, () -> JsonCodec.decode(text)).reason();
  }

  static Object binary(byte[] bytes) {
    try {
      return BinaryCodec.decode(bytes);
    } catch (CodecException e) {
      throw new AssertionError("valid bytes failed to decode: " + e.getMessage(), e);
    }
  }

  static Object binary(byte[] bytes, ReplicaId origin) {
    try {
      return BinaryCodec.decode(bytes, origin);
    } catch (CodecException e) {
      throw new AssertionError("valid bytes failed to decode: " + e.getMessage(), e);
    }
  }

  static Object typedBinary(byte[] bytes, Class<?> type) {
    try {
      return BinaryCodec.decode(bytes, type);
    } catch (CodecException e) {
      throw new AssertionError("valid bytes failed to decode: " + e.getMessage(), e);
    }
  }

  static Object json(String text) {
    try {
      return JsonCodec.decode(text);
    } catch (CodecException e) {
      throw new AssertionError("valid JSON failed to decode: " + e.getMessage() + "\n" + text, e);
    }
  }
}
