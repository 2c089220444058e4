package io.tandem.crdt.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import io.tandem.crdt.Crdt;
import io.tandem.crdt.Generated;
import io.tandem.crdt.OrMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The codec laws over long note-like histories, whose states are large enough that format v2
 * writes them in columns, deflated: round trip, canonical bytes, mutated and cut input.
 */
class ColumnarCodecTest extends CodecLaws<OrMap<Object, Crdt<?>>> {

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  Gen<List<OrMap<Object, Crdt<?>>>> values() {
    // Every third value of a run: the laws then check a few hundred values per run, not all.
    return (Gen) Generated.longOrMaps().map(vs -> everyThird(vs));
  }

  @Override
  OrMap<Object, Crdt<?>> merge(OrMap<Object, Crdt<?>> a, OrMap<Object, Crdt<?>> b) {
    return a.merge(b);
  }

  @Override
  int examples() {
    return Math.max(1, EXAMPLES / 20);
  }

  @Test
  void longRunsReachTheColumnarForm() {
    long[] counts = new long[2];
    qt().withExamples(examples()).forAll(values()).checkAssert(vs -> {
      for (OrMap<Object, Crdt<?>> v : vs) {
        counts[(BinaryCodec.encode(v)[0] & BinaryEncoder.COLUMNAR) != 0 ? 1 : 0]++;
      }
    });
    System.out.println("values written in rows: " + counts[0] + ", in columns: " + counts[1]);
    assertThat(counts[1]).as("values written in columns").isGreaterThan(counts[0] / 20);
  }

  private static <T> List<T> everyThird(List<T> vs) {
    return java.util.stream.IntStream.range(0, vs.size()).filter(i -> i % 3 == 2 || i == 0)
        .mapToObj(vs::get).toList();
  }
}
