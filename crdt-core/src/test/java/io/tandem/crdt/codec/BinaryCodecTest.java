package io.tandem.crdt.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tandem.crdt.Crdt;
import io.tandem.crdt.DotFun;
import io.tandem.crdt.GCounter;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.codec.CodecException.Reason;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The binary codec's API: slices, typed decoding, limits, and what it refuses to encode. */
class BinaryCodecTest {

  private static final ReplicaId A = ReplicaId.of(0xA1);

  @Test
  void decodesAValueInsideALargerBuffer() throws Exception {
    Object v = GoldenValues.all().get("or-map");
    byte[] bytes = BinaryCodec.encode(v);
    byte[] framed = new byte[bytes.length + 7];
    Arrays.fill(framed, (byte) 0xEE);
    System.arraycopy(bytes, 0, framed, 3, bytes.length);
    assertThat(BinaryCodec.decode(framed, 3, bytes.length, CodecLimits.DEFAULT)).isEqualTo(v);
    Reason r = catchThrowableOfType(CodecException.class,
        () -> BinaryCodec.decode(framed, 3, bytes.length + 1, CodecLimits.DEFAULT)).reason();
    assertThat(r).isEqualTo(Reason.MALFORMED);
    assertThatThrownBy(() -> BinaryCodec.decode(framed, 3, framed.length, CodecLimits.DEFAULT))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void typedDecodeRefusesAnotherType() throws Exception {
    byte[] set = BinaryCodec.encode(OrSet.empty().add(A, "x"));
    assertThat(BinaryCodec.decode(set, OrSet.class).contains("x")).isTrue();
    assertThat(BinaryCodec.decode(set, Object.class)).isInstanceOf(OrSet.class);
    Reason r = catchThrowableOfType(CodecException.class,
        () -> BinaryCodec.decode(set, GCounter.class)).reason();
    assertThat(r).isEqualTo(Reason.INVALID);
  }

  @Test
  void limitsBoundSizeEntriesAndDepth() {
    byte[] map = BinaryCodec.encode(GoldenValues.all().get("or-map"));
    assertThat(failure(map, new CodecLimits(map.length - 1, 64, 1000, 1000)))
        .isEqualTo(Reason.LIMIT_EXCEEDED);
    assertThat(failure(map, new CodecLimits(1 << 20, 64, 5, 1000)))
        .isEqualTo(Reason.LIMIT_EXCEEDED);
    assertThat(failure(map, new CodecLimits(1 << 20, 1, 1000, 1000)))
        .isEqualTo(Reason.LIMIT_EXCEEDED);
    assertThat(failure(map, new CodecLimits(1 << 20, 64, 1000, 3)))
        .isEqualTo(Reason.LIMIT_EXCEEDED);
  }

  @Test
  void refusesWhatItCannotEncode() {
    assertThatThrownBy(() -> BinaryCodec.encode("a string")).isInstanceOf(
        IllegalArgumentException.class);
    assertThatThrownBy(() -> BinaryCodec.encode(DotFun.of(java.util.Map.of(
        io.tandem.crdt.Dot.of(A, 1), GCounter.empty())))).isInstanceOf(
        IllegalArgumentException.class);
    assertThatThrownBy(() -> BinaryCodec.encode(OrSet.empty().add(A, "\ud800")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JsonCodec.encode(OrSet.empty().add(A, "\ud800")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * A map update whose mutator writes nothing is no write: it takes no dot, so no empty register
   * ever sits in a map (neither format has room for one).
   */
  @Test
  void aMapUpdateThatWritesNothingIsAnEmptyDelta() throws Exception {
    OrMap<String, Crdt<?>> m = OrMap.<String, Crdt<?>>empty()
        .update(A, "k", LwwRegister.<String>empty(), r -> r);
    assertThat(m.isEmpty()).isTrue();
    assertThat(m.context().isEmpty()).isTrue();
    assertThat(BinaryCodec.decode(BinaryCodec.encode(m))).isEqualTo(m);
  }

  private static Reason failure(byte[] bytes, CodecLimits limits) {
    return catchThrowableOfType(CodecException.class, () -> BinaryCodec.decode(bytes, limits))
        .reason();
  }
}
