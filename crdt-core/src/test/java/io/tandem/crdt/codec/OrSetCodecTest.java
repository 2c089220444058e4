package io.tandem.crdt.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.tandem.crdt.CausalContext;
import io.tandem.crdt.Dot;
import io.tandem.crdt.Generated;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** The codec laws for {@link OrSet}, and canonical bytes whatever order elements arrive in. */
class OrSetCodecTest extends CodecLaws<OrSet<Object>> {

  /** Strings and numbers whose hash codes collide, so the trie keeps them in arrival order. */
  private static final List<Object> COLLIDING = List.of("Aa", "BB", "AaAa", "BBBB", "AaBB",
      "BBAa", 5, 5L, 0, 0L, false);

  @Override
  Gen<List<OrSet<Object>>> values() {
    return Generated.orSets().zip(Awkward.orSets(), Awkward::concat);
  }

  @Override
  OrSet<Object> merge(OrSet<Object> a, OrSet<Object> b) {
    return a.merge(b);
  }

  @Test
  void encodingIsCanonicalWhateverTheOrderOfAdds() {
    Gen<List<Object>> elements = lists().of(Awkward.scalars()).ofSizeBetween(0, 20)
        .map(l -> Awkward.concat(l, COLLIDING));
    qt().withExamples(EXAMPLES).forAll(elements, longs().all()).checkAssert((es, seed) -> {
      // Each replica adds its own elements; the deltas then arrive in two different orders.
      List<OrSet<Object>> deltas = new ArrayList<>();
      List<OrSet<Object>> replicas = new ArrayList<>();
      for (int i = 0; i < es.size(); i++) {
        int r = i % Awkward.REPLICAS.size();
        if (replicas.size() == r) {
          replicas.add(OrSet.empty());
        }
        OrSet<Object> d = replicas.get(r).add(Awkward.REPLICAS.get(r), es.get(i));
        replicas.set(r, replicas.get(r).merge(d));
        deltas.add(d);
      }
      List<OrSet<Object>> shuffled = new ArrayList<>(deltas);
      Collections.shuffle(shuffled, new Random(seed));
      OrSet<Object> a = OrSet.empty();
      OrSet<Object> b = OrSet.empty();
      for (int i = 0; i < deltas.size(); i++) {
        a = a.merge(deltas.get(i));
        b = b.merge(shuffled.get(i));
      }
      assertThat(b).isEqualTo(a);
      assertThat(BinaryCodec.encode(b)).isEqualTo(BinaryCodec.encode(a));
      assertThat(JsonCodec.encode(b)).isEqualTo(JsonCodec.encode(a));
    });
  }

  @Test
  void restoringFromEntriesInAnyOrderEncodesIdentically() {
    Map<Object, List<Dot>> forward = new LinkedHashMap<>();
    Map<Object, List<Dot>> backward = new LinkedHashMap<>();
    ReplicaId a = Awkward.REPLICAS.get(1);
    for (int i = 0; i < COLLIDING.size(); i++) {
      forward.put(COLLIDING.get(i), List.of(Dot.of(a, i + 1)));
    }
    for (int i = COLLIDING.size() - 1; i >= 0; i--) {
      backward.put(COLLIDING.get(i), List.of(Dot.of(a, i + 1)));
    }
    OrSet<Object> x = OrSet.restore(forward, CausalContext.ofDots(
        forward.values().stream().flatMap(List::stream).toList()), false);
    OrSet<Object> y = OrSet.restore(backward, x.context(), false);
    assertThat(y).isEqualTo(x);
    assertThat(BinaryCodec.encode(y)).isEqualTo(BinaryCodec.encode(x));
    assertThat(JsonCodec.encode(y)).isEqualTo(JsonCodec.encode(x));
  }
}
