package io.tandem.crdt.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.Crdt;
import io.tandem.crdt.Hlc;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.MvRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Scalars keep their type and their exact value through both codecs. */
class ScalarCodecTest {

  private static final ReplicaId A = ReplicaId.of(0xA1);

  static Stream<Object> scalars() {
    return Stream.of("", "plain", "é日本語😀", "a\u0000b", "\uFFFF", "Aa", "BB", 0, 5, -1,
        Integer.MIN_VALUE, Integer.MAX_VALUE, 0L, 5L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 0.0,
        -0.0, 5.0, 0.1, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
        Double.MIN_VALUE, Double.MAX_VALUE, true, false);
  }

  @ParameterizedTest
  @MethodSource("scalars")
  void registerValueKeepsItsTypeAndBits(Object x) throws Exception {
    LwwRegister<Object> r = LwwRegister.of(new Hlc(1, 0, A), x);
    Codecs.assertRoundTrips(r);
    assertSame(x, ((LwwRegister<?>) BinaryCodec.decode(BinaryCodec.encode(r))).value());
    assertSame(x, ((LwwRegister<?>) JsonCodec.decode(JsonCodec.encode(r))).value());
  }

  @ParameterizedTest
  @MethodSource("scalars")
  void setElementAndMapKeyKeepTheirType(Object x) throws Exception {
    OrSet<Object> s = OrSet.empty().add(A, x);
    Codecs.assertRoundTrips(s);
    OrSet<?> back = (OrSet<?>) JsonCodec.decode(JsonCodec.encode(s));
    assertSame(x, back.elements().iterator().next());
    OrMap<Object, Crdt<?>> m = OrMap.<Object, Crdt<?>>empty()
        .update(A, x, MvRegister.<Object>empty(), v -> v.assign(A, x));
    Codecs.assertRoundTrips(m);
  }

  @Test
  void intLongAndDoubleOfOneNumberStayDistinct() throws Exception {
    OrSet<Object> s = OrSet.empty();
    for (Object x : List.of(5, 5L, 5.0, "5", 0.0, -0.0)) {
      s = s.merge(s.add(A, x));
    }
    Codecs.assertRoundTrips(s);
    OrSet<?> fromBinary = BinaryCodec.decode(BinaryCodec.encode(s), OrSet.class);
    OrSet<?> fromJson = JsonCodec.decode(JsonCodec.encode(s), OrSet.class);
    assertThat(List.<Object>copyOf(fromBinary.elements()))
        .containsExactlyInAnyOrderElementsOf(s.elements());
    assertThat(List.<Object>copyOf(fromJson.elements()))
        .containsExactlyInAnyOrderElementsOf(s.elements());
    assertThat(fromJson.size()).isEqualTo(6);
  }

  @Test
  void jsonWritesEachScalarTypeDistinctly() {
    String json = JsonCodec.encode(LwwRegister.of(new Hlc(1, 0, A), 5.0));
    assertThat(json).contains("\"value\":5.0");
    assertThat(JsonCodec.encode(LwwRegister.of(new Hlc(1, 0, A), 5L))).contains("\"value\":5,");
    assertThat(JsonCodec.encode(LwwRegister.of(new Hlc(1, 0, A), 5))).contains("{\"int\":5}");
    assertThat(JsonCodec.encode(LwwRegister.of(new Hlc(1, 0, A), Double.NaN)))
        .contains("{\"double\":\"NaN\"}");
  }

  @Test
  void everyNanEncodesAlike() {
    double otherNan = Double.longBitsToDouble(0x7ff0_0000_0000_0001L);
    assertThat(Double.isNaN(otherNan)).isTrue();
    assertThat(BinaryCodec.encode(LwwRegister.of(new Hlc(1, 0, A), otherNan)))
        .isEqualTo(BinaryCodec.encode(LwwRegister.of(new Hlc(1, 0, A), Double.NaN)));
  }

  private static void assertSame(Object expected, Object actual) {
    assertThat(actual).isEqualTo(expected);
    assertThat(actual.getClass()).isEqualTo(expected.getClass());
    if (expected instanceof Double d && !d.isNaN()) {
      assertThat(Double.doubleToRawLongBits((Double) actual))
          .isEqualTo(Double.doubleToRawLongBits(d));
    }
  }
}
