package io.tandem.crdt.codec;

import static io.tandem.crdt.codec.Codecs.assertDecodesOrThrowsCodecException;
import static io.tandem.crdt.codec.Codecs.assertRoundTrips;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.crdt.Generated;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.codec.CodecException.Reason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The codec laws, written once and run for every type by a subclass that says how to generate
 * related values (the states and deltas of one run) and how to merge them.
 */
abstract class CodecLaws<T> {

  static final int EXAMPLES = Integer.getInteger("tandem.examples", 1000);

  /** Values of one run: reachable states and deltas, mergeable with each other. */
  abstract Gen<List<T>> values();

  abstract T merge(T a, T b);

  /** How many runs each law checks; long runs may check fewer. */
  int examples() {
    return EXAMPLES;
  }

  @Test
  void roundTripIsIdentity() {
    qt().withExamples(examples()).forAll(values())
        .checkAssert(vs -> vs.forEach(Codecs::assertRoundTrips));
  }

  @Test
  void encodingIsCanonical() {
    qt().withExamples(examples()).forAll(values(), longs().all()).checkAssert((vs, seed) -> {
      List<T> shuffled = new ArrayList<>(vs);
      Collections.shuffle(shuffled, new Random(seed));
      T inOrder = join(vs);
      T reordered = join(shuffled);
      assertThat(reordered).as("the join does not depend on the order (a CRDT law)")
          .isEqualTo(inOrder);
      assertThat(BinaryCodec.encode(reordered)).isEqualTo(BinaryCodec.encode(inOrder));
      assertThat(JsonCodec.encode(reordered)).isEqualTo(JsonCodec.encode(inOrder));
      assertRoundTrips(reordered);
    });
  }

  @Test
  void anyBytesDecodeOrThrowCodecException() {
    qt().withExamples(examples()).forAll(values(), integers().allPositive(), longs().all())
        .checkAssert((vs, pick, seed) -> {
          byte[] valid = BinaryCodec.encode(vs.get(pick % vs.size()));
          Random r = new Random(seed);
          for (int i = 0; i < 20; i++) {
            assertDecodesOrThrowsCodecException(Mutate.bytes(valid, r));
          }
          // The grammar is prefix-free: every strict prefix lacks bytes the decoder must read.
          for (int len : lengths(valid.length, r)) {
            assertThat(Codecs.binaryFailure(Arrays.copyOf(valid, len)))
                .as("prefix of %d bytes", len).isEqualTo(Reason.TRUNCATED);
          }
        });
  }

  @Test
  void originLeftImplicitRoundTripsGivenTheOrigin() {
    qt().withExamples(examples()).forAll(values(), integers().allPositive())
        .checkAssert((vs, pick) -> {
          ReplicaId origin = Generated.REPLICAS.get(pick % Generated.REPLICAS.size());
          for (T v : vs) {
            byte[] bytes = BinaryCodec.encode(v, origin);
            assertThat(Codecs.binary(bytes, origin)).isEqualTo(v);
            if ((bytes[0] & BinaryEncoder.ORIGIN_IMPLICIT) != 0) {
              assertThat(Codecs.binaryFailure(bytes)).isEqualTo(Reason.INVALID);
            } else {
              assertThat(bytes).isEqualTo(BinaryCodec.encode(v));
            }
          }
        });
  }

  @Test
  void anyJsonDecodesOrThrowsCodecException() {
    qt().withExamples(examples()).forAll(values(), integers().allPositive(), longs().all())
        .checkAssert((vs, pick, seed) -> {
          T v = vs.get(pick % vs.size());
          String valid = JsonCodec.encode(v);
          JsonNode tree = JsonCodec.toJson(v);
          Random r = new Random(seed);
          for (int i = 0; i < 10; i++) {
            assertDecodesOrThrowsCodecException(Mutate.text(valid, r));
            assertDecodesOrThrowsCodecException(Mutate.tree(tree, r).toString());
          }
          for (int len : lengths(valid.length(), r)) {
            assertThat(Codecs.jsonFailure(valid.substring(0, len)))
                .as("prefix of %d characters", len).isEqualTo(Reason.MALFORMED);
          }
        });
  }

  private T join(List<T> values) {
    T acc = values.get(0);
    for (T v : values) {
      acc = merge(acc, v);
    }
    return acc;
  }

  /**
   * Prefix lengths to try: all of them for short encodings, else the first and last hundred and
   * a random hundred between, which keeps a thousand examples fast.
   */
  private static List<Integer> lengths(int n, Random r) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (n <= 300 || i < 100 || i >= n - 100 || r.nextInt(n) < 100) {
        out.add(i);
      }
    }
    return out;
  }
}
