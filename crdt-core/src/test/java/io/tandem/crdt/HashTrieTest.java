package io.tandem.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class HashTrieTest {

  private static final int EXAMPLES = Integer.getInteger("tandem.examples", 1000);
  /** For the properties that build several tries per example. */
  private static final int HEAVY_EXAMPLES = Math.max(200, EXAMPLES / 4);

  /*
   * Keys 0..47 take their hash from a small table, so several keys share each full 32-bit hash
   * (collision nodes), and the table's hashes share long prefixes once spread, or differ only in
   * their high bits, which sends them down the deepest levels. Keys 48 and up hash like ordinary
   * keys and fill the upper levels around them.
   */
  private static final int[] HASHES = {
    0, 1, 1 << 31, 1 << 30, 3 << 30, 1 << 16,
    unspread(0x4000_0007), unspread(0x8000_0007), unspread(0x1234_5678),
    unspread(0x1234_5678 ^ (1 << 29)), unspread(0x1234_5678 ^ (1 << 25)), -1,
  };
  private static final int COLLIDING_IDS = 4 * HASHES.length;
  private static final int IDS = 300;
  private static final List<Key> UNIVERSE = new ArrayList<>();

  static {
    for (int id = 0; id < IDS; id++) {
      UNIVERSE.add(key(id));
    }
  }

  /** A key whose hash code the test chooses; equal keys have equal ids, and so equal hashes. */
  record Key(int id, int hash) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.id == id;
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** One step: put {@code value}, or remove the key when value is null. */
  record Op<K>(K key, Integer value) {}

  static Key key(int id) {
    return new Key(id, id < COLLIDING_IDS ? HASHES[id % HASHES.length] : id * 0x9E37_79B9);
  }

  /** HashTrie spreads with h ^ (h >>> 16), an involution: applying it picks the spread hash. */
  static int unspread(int spread) {
    return spread ^ (spread >>> 16);
  }

  static Gen<Integer> ids() {
    return integers().between(0, COLLIDING_IDS - 1).mix(integers().between(0, IDS - 1));
  }

  /** Small values are cached Integers, so equal values are often identical ones. */
  static Gen<List<Op<Key>>> ops(int max) {
    Gen<Op<Key>> op = ids().zip(integers().between(-8, 20),
        (id, v) -> new Op<>(key(id), v < 0 ? null : v));
    return lists().of(op).ofSizeBetween(0, max);
  }

  static <K> HashTrie<K, Integer> apply(HashTrie<K, Integer> trie, List<Op<K>> ops) {
    for (Op<K> op : ops) {
      trie = op.value() == null ? trie.remove(op.key()) : trie.put(op.key(), op.value());
    }
    return trie;
  }

  static <K> Map<K, Integer> apply(Map<K, Integer> model, List<Op<K>> ops) {
    Map<K, Integer> m = new HashMap<>(model);
    for (Op<K> op : ops) {
      if (op.value() == null) {
        m.remove(op.key());
      } else {
        m.put(op.key(), op.value());
      }
    }
    return m;
  }

  /** Built in an order unrelated to how the model got its entries. */
  static HashTrie<Key, Integer> fromMap(Map<Key, Integer> model) {
    List<Map.Entry<Key, Integer>> entries = new ArrayList<>(model.entrySet());
    entries.sort(Comparator.comparing((Map.Entry<Key, Integer> e) -> e.getKey().id()).reversed());
    HashTrie<Key, Integer> t = HashTrie.empty();
    for (Map.Entry<Key, Integer> e : entries) {
      t = t.put(e.getKey(), e.getValue());
    }
    return t;
  }

  static <K> void assertMatches(HashTrie<K, Integer> trie, Map<K, Integer> model,
      Iterable<? extends K> probes) {
    assertThat(trie.size()).isEqualTo(model.size());
    assertThat(trie.isEmpty()).isEqualTo(model.isEmpty());
    for (K k : probes) {
      assertThat(trie.get(k)).as("get(%s)", k).isEqualTo(model.get(k));
      assertThat(trie.containsKey(k)).as("containsKey(%s)", k).isEqualTo(model.containsKey(k));
    }
    Map<K, Integer> iterated = new HashMap<>();
    int count = 0;
    for (Iterator<Map.Entry<K, Integer>> it = trie.iterator(); it.hasNext(); count++) {
      Map.Entry<K, Integer> e = it.next();
      iterated.put(e.getKey(), e.getValue());
    }
    assertThat(count).isEqualTo(model.size());
    assertThat(iterated).isEqualTo(model);
    Map<K, Integer> visited = new HashMap<>();
    trie.forEach(visited::put);
    assertThat(visited).isEqualTo(model);
    assertThat(trie.asMap().equals(model)).isTrue();
    assertThat(model.equals(trie.asMap())).isTrue();
    assertThat(trie.asMap().hashCode()).isEqualTo(model.hashCode());
    assertThat(trie.hashCode()).isEqualTo(model.hashCode());
  }

  /** Merges two models the way the trie must. */
  static <K> Map<K, Integer> mergeModels(Map<K, Integer> l, Map<K, Integer> r,
      HashTrie.Merger<K, Integer> m) {
    Map<K, Integer> out = new HashMap<>();
    Set<K> keys = new HashSet<>(l.keySet());
    keys.addAll(r.keySet());
    for (K k : keys) {
      Integer lv = l.get(k);
      Integer rv = r.get(k);
      Integer v = lv != null && rv != null ? m.both(k, lv, rv)
          : lv != null ? (m.keepsLeftOnly() ? lv : m.leftOnly(k, lv))
          : (m.keepsRightOnly() ? rv : m.rightOnly(k, rv));
      if (v != null) {
        out.put(k, v);
      }
    }
    return out;
  }

  /** Drops and keeps on both sides; both(k, v, v) is v, as merge requires. */
  static <K> HashTrie.Merger<K, Integer> sumUnlessDivisibleByThree() {
    return new HashTrie.Merger<>() {
      @Override
      public Integer both(K key, Integer l, Integer r) {
        return l.equals(r) ? l : (l + r) % 3 == 0 ? null : l + r;
      }

      @Override
      public Integer leftOnly(K key, Integer l) {
        return l % 2 != 0 ? null : l;
      }

      @Override
      public Integer rightOnly(K key, Integer r) {
        return r;
      }
    };
  }

  /** Keeps one side's lone entries untouched, drops odd ones from the other side. */
  static <K> HashTrie.Merger<K, Integer> maxKeeping(boolean left) {
    return new HashTrie.Merger<>() {
      @Override
      public Integer both(K key, Integer l, Integer r) {
        return Math.max(l, r);
      }

      @Override
      public Integer leftOnly(K key, Integer l) {
        assertThat(left).as("left-only entries are kept, never visited").isFalse();
        return l % 2 != 0 ? null : l;
      }

      @Override
      public Integer rightOnly(K key, Integer r) {
        assertThat(left).as("right-only entries are kept, never visited").isTrue();
        return r % 2 != 0 ? null : r;
      }

      @Override
      public boolean keepsLeftOnly() {
        return left;
      }

      @Override
      public boolean keepsRightOnly() {
        return !left;
      }
    };
  }

  static <K, V> HashTrie.Merger<K, V> failing() {
    return new HashTrie.Merger<>() {
      @Override
      public V both(K key, V l, V r) {
        throw new AssertionError("both(" + key + ")");
      }

      @Override
      public V leftOnly(K key, V l) {
        throw new AssertionError("leftOnly(" + key + ")");
      }

      @Override
      public V rightOnly(K key, V r) {
        throw new AssertionError("rightOnly(" + key + ")");
      }
    };
  }

  @Test
  void putsAndRemovesAgreeWithHashMapAfterEveryStep() {
    qt().withExamples(EXAMPLES).forAll(ops(100)).checkAssert(ops -> {
      HashTrie<Key, Integer> trie = HashTrie.empty();
      Map<Key, Integer> model = new HashMap<>();
      for (Op<Key> op : ops) {
        int sizeBefore = trie.size();
        Integer valueBefore = trie.get(op.key());
        HashTrie<Key, Integer> next = op.value() == null
            ? trie.remove(op.key()) : trie.put(op.key(), op.value());
        // Cached Integers make an equal value an identical one, which must change nothing.
        if (Objects.equals(model.get(op.key()), op.value())) {
          assertThat(next).isSameAs(trie);
        } else {
          assertThat(next).isNotSameAs(trie);
        }
        assertThat(trie.size()).as("the old version is untouched").isEqualTo(sizeBefore);
        assertThat(trie.get(op.key())).isEqualTo(valueBefore);
        if (op.value() == null) {
          model.remove(op.key());
        } else {
          model.put(op.key(), op.value());
        }
        assertMatches(next, model, UNIVERSE);
        trie = next;
      }
    });
  }

  @Test
  void updateSeesTheCurrentValueOnceAndLeavesTheTriePutOrRemoveWouldLeave() {
    qt().withExamples(EXAMPLES).forAll(ops(100)).checkAssert(ops -> {
      HashTrie<Key, Integer> trie = HashTrie.empty();
      Map<Key, Integer> model = new HashMap<>();
      for (Op<Key> op : ops) {
        Integer before = trie.get(op.key());
        List<Integer> seen = new ArrayList<>();
        HashTrie<Key, Integer> next = trie.update(op.key(), v -> {
          seen.add(v);
          return op.value();
        });
        assertThat(seen).containsExactly(before);
        HashTrie<Key, Integer> viaPut = op.value() == null
            ? trie.remove(op.key()) : trie.put(op.key(), op.value());
        if (viaPut == trie) {
          assertThat(next).isSameAs(trie);
        }
        assertThat(trie.get(op.key())).as("the old version is untouched").isEqualTo(before);
        if (op.value() == null) {
          model.remove(op.key());
        } else {
          model.put(op.key(), op.value());
        }
        assertMatches(next, model, UNIVERSE);
        // Canonical shape, so structural equality holds with a trie built another way.
        assertThat(next).isEqualTo(fromMap(model)).isEqualTo(viaPut);
        trie = next;
      }
    });
  }

  @Test
  void updateWithAnArgumentHandsItToTheFunctionAndLeavesWhatTheUnaryUpdateLeaves() {
    qt().withExamples(EXAMPLES).forAll(ops(100)).checkAssert(ops -> {
      HashTrie<Key, Integer> trie = HashTrie.empty();
      for (Op<Key> op : ops) {
        Integer before = trie.get(op.key());
        List<Integer> seen = new ArrayList<>();
        List<Integer> args = new ArrayList<>();
        HashTrie<Key, Integer> next = trie.update(op.key(), op.value(), (v, a) -> {
          seen.add(v);
          args.add(a);
          return a;
        });
        HashTrie<Key, Integer> unary = trie.update(op.key(), v -> op.value());
        assertThat(seen).containsExactly(before);
        assertThat(args).hasSize(1);
        assertThat(args.get(0)).isEqualTo(op.value());
        assertThat(next).isEqualTo(unary);
        if (unary == trie) {
          assertThat(next).isSameAs(trie);
        }
        assertThat(trie.get(op.key())).as("the old version is untouched").isEqualTo(before);
        trie = next;
      }
    });
  }

  @Test
  void putsAndRemovesOfManyIntegersAgreeWithHashMap() {
    Gen<Op<Integer>> op = integers().between(0, 5000).zip(integers().between(-50, 100),
        (k, v) -> new Op<>(k, v < 0 ? null : v));
    qt().withExamples(HEAVY_EXAMPLES).forAll(lists().of(op).ofSizeBetween(0, 1500))
        .checkAssert(ops -> {
          HashTrie<Integer, Integer> trie = apply(HashTrie.empty(), ops);
          Map<Integer, Integer> model = apply(new HashMap<>(), ops);
          assertMatches(trie, model, ops.stream().map(Op::key).toList());
        });
  }

  @Test
  void putsThenRemovesEqualTheTrieBuiltFromTheRemainingEntries() {
    qt().withExamples(EXAMPLES)
        .forAll(lists().of(ids()).ofSizeBetween(0, 80), lists().of(ids()).ofSizeBetween(0, 80))
        .checkAssert((puts, removes) -> {
          HashTrie<Key, Integer> trie = HashTrie.empty();
          Map<Key, Integer> model = new HashMap<>();
          for (int id : puts) {
            trie = trie.put(key(id), id);
            model.put(key(id), id);
          }
          for (int id : removes) {
            trie = trie.remove(key(id));
            model.remove(key(id));
          }
          HashTrie<Key, Integer> direct = fromMap(model);
          assertThat(trie).isEqualTo(direct);
          assertThat(direct).isEqualTo(trie);
          assertThat(trie.hashCode()).isEqualTo(direct.hashCode());
          for (Key k : model.keySet()) {
            trie = trie.remove(k);
          }
          assertThat(trie.isEmpty()).isTrue();
          assertThat(trie).isSameAs(HashTrie.empty());
        });
  }

  @Test
  void putOfAnIdenticalValueAndRemoveOfAnAbsentKeyReturnTheSameInstance() {
    qt().withExamples(EXAMPLES).forAll(ops(80), ids()).checkAssert((ops, id) -> {
      HashTrie<Key, Integer> trie = apply(HashTrie.empty(), ops);
      trie.forEach((k, v) -> assertThat(trie.put(k, v)).isSameAs(trie));
      if (!trie.containsKey(key(id))) {
        assertThat(trie.remove(key(id))).isSameAs(trie);
      }
      assertThat(trie.remove(null)).isSameAs(trie);
    });
  }

  @Test
  void mergeWithItselfAndIdentityTransformReturnTheSameInstanceWithoutCallingTheMerger() {
    qt().withExamples(EXAMPLES).forAll(ops(80)).checkAssert(ops -> {
      HashTrie<Key, Integer> trie = apply(HashTrie.empty(), ops);
      assertThat(HashTrie.merge(trie, trie, failing())).isSameAs(trie);
      assertThat(trie.transform((k, v) -> v)).isSameAs(trie);
    });
  }

  @Test
  void mergeAgreesWithModelWhenTheMergerDropsAndKeepsOnBothSides() {
    // Both sides grow from a common base, so they share subtrees the merge must reuse.
    qt().withExamples(HEAVY_EXAMPLES).forAll(ops(80), ops(40), ops(40))
        .checkAssert((base, leftOps, rightOps) -> {
          HashTrie<Key, Integer> common = apply(HashTrie.empty(), base);
          Map<Key, Integer> lm = apply(apply(new HashMap<>(), base), leftOps);
          Map<Key, Integer> rm = apply(apply(new HashMap<>(), base), rightOps);
          HashTrie.Merger<Key, Integer> m = sumUnlessDivisibleByThree();
          HashTrie<Key, Integer> merged =
              HashTrie.merge(apply(common, leftOps), apply(common, rightOps), m);
          Map<Key, Integer> expected = mergeModels(lm, rm, m);
          assertMatches(merged, expected, UNIVERSE);
          assertThat(merged).as("canonical").isEqualTo(fromMap(expected));
        });
  }

  @Test
  void mergeKeepingOneSidesLoneEntriesAgreesWithModel() {
    qt().withExamples(HEAVY_EXAMPLES).forAll(ops(80), ops(60), integers().between(0, 1))
        .checkAssert((leftOps, rightOps, side) -> {
          HashTrie.Merger<Key, Integer> m = maxKeeping(side == 0);
          HashTrie<Key, Integer> l = apply(HashTrie.empty(), leftOps);
          HashTrie<Key, Integer> r = apply(HashTrie.empty(), rightOps);
          Map<Key, Integer> expected = mergeModels(
              apply(new HashMap<>(), leftOps), apply(new HashMap<>(), rightOps), m);
          HashTrie<Key, Integer> merged = HashTrie.merge(l, r, m);
          assertMatches(merged, expected, UNIVERSE);
          assertThat(merged).isEqualTo(fromMap(expected));
        });
  }

  /** Counts every hashCode and equals call, which is how the trie visits a key. */
  record CountingKey(int id) {
    static final AtomicInteger TOUCHES = new AtomicInteger();

    @Override
    public boolean equals(Object o) {
      TOUCHES.incrementAndGet();
      return o instanceof CountingKey k && k.id == id;
    }

    @Override
    public int hashCode() {
      TOUCHES.incrementAndGet();
      return id;
    }
  }

  @Test
  void mergingOneEntryIntoALargeTrieVisitsOnlyThePathToIt() {
    HashTrie.Builder<CountingKey, Integer> b = HashTrie.builder();
    for (int i = 0; i < 100_000; i++) {
      b.put(new CountingKey(i), i);
    }
    HashTrie<CountingKey, Integer> large = b.build();
    for (int id : new int[] {42, 99_999, 100_000, -7}) {
      CountingKey k = new CountingKey(id);
      HashTrie<CountingKey, Integer> one = HashTrie.<CountingKey, Integer>empty().put(k, -1);
      for (boolean largeOnLeft : new boolean[] {true, false}) {
        AtomicInteger calls = new AtomicInteger();
        HashTrie.Merger<CountingKey, Integer> m = new HashTrie.Merger<>() {
          @Override
          public Integer both(CountingKey key, Integer l, Integer r) {
            calls.incrementAndGet();
            return largeOnLeft ? r : l;
          }

          @Override
          public Integer leftOnly(CountingKey key, Integer l) {
            calls.incrementAndGet();
            assertThat(largeOnLeft).as("left-only entries of the large side are kept").isFalse();
            return l;
          }

          @Override
          public Integer rightOnly(CountingKey key, Integer r) {
            calls.incrementAndGet();
            assertThat(largeOnLeft).as("right-only entries of the large side are kept").isTrue();
            return r;
          }

          @Override
          public boolean keepsLeftOnly() {
            return largeOnLeft;
          }

          @Override
          public boolean keepsRightOnly() {
            return !largeOnLeft;
          }
        };
        CountingKey.TOUCHES.set(0);
        HashTrie<CountingKey, Integer> merged =
            largeOnLeft ? HashTrie.merge(large, one, m) : HashTrie.merge(one, large, m);
        assertThat(calls.get()).isLessThanOrEqualTo(1);
        assertThat(CountingKey.TOUCHES.get()).as("keys touched").isLessThanOrEqualTo(8);
        boolean existing = id >= 0 && id < 100_000;
        assertThat(merged.size()).isEqualTo(existing ? 100_000 : 100_001);
        assertThat(merged.get(k)).isEqualTo(-1);
        assertThat(merged.get(new CountingKey(7))).isEqualTo(7);
      }
    }
  }

  @Test
  void transformAgreesWithModel() {
    BiFunction<Key, Integer, Integer> f = (k, v) -> v % 3 == 0 ? null : v % 3 == 1 ? v + 1 : v;
    qt().withExamples(EXAMPLES).forAll(ops(100)).checkAssert(ops -> {
      HashTrie<Key, Integer> trie = apply(HashTrie.empty(), ops);
      Map<Key, Integer> expected = new HashMap<>();
      trie.forEach((k, v) -> {
        Integer nv = f.apply(k, v);
        if (nv != null) {
          expected.put(k, nv);
        }
      });
      HashTrie<Key, Integer> transformed = trie.transform(f);
      assertMatches(transformed, expected, UNIVERSE);
      assertThat(transformed).isEqualTo(fromMap(expected));
      if (trie.asMap().values().stream().allMatch(v -> v % 3 == 2)) {
        assertThat(transformed).isSameAs(trie);
      }
    });
  }

  @Test
  void builderAgreesWithModelAndBuildsTheTrieThatPersistentPutsBuild() {
    qt().withExamples(EXAMPLES).forAll(ops(100), ops(30)).checkAssert((ops, later) -> {
      HashTrie.Builder<Key, Integer> b = HashTrie.builder();
      Map<Key, Integer> model = new HashMap<>();
      for (Op<Key> op : ops) {
        if (op.value() == null) {
          b.remove(op.key());
          model.remove(op.key());
        } else {
          b.put(op.key(), op.value());
          model.put(op.key(), op.value());
        }
        assertThat(b.size()).isEqualTo(model.size());
        assertThat(b.get(op.key())).isEqualTo(model.get(op.key()));
      }
      HashTrie<Key, Integer> built = b.build();
      assertMatches(built, model, UNIVERSE);
      assertThat(built).isEqualTo(apply(HashTrie.empty(), ops));
      // Nodes the builder owned must not change once built.
      HashTrie<Key, Integer> edited = apply(built, later);
      assertMatches(built, model, UNIVERSE);
      assertMatches(edited, apply(model, later), UNIVERSE);
      assertThatThrownBy(() -> b.put(key(1), 1)).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> b.remove(key(1))).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> b.get(key(1))).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(b::size).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class);
    });
  }

  @Test
  void equalsAndHashCodeFollowMapSemanticsWhateverTheInsertionOrder() {
    qt().withExamples(EXAMPLES).forAll(ops(100)).checkAssert(ops -> {
      Map<Key, Integer> model = apply(new HashMap<>(), ops);
      HashTrie<Key, Integer> trie = apply(HashTrie.empty(), ops);
      HashTrie<Key, Integer> other = fromMap(model);
      assertThat(trie).isEqualTo(other);
      assertThat(other).isEqualTo(trie);
      assertThat(trie.hashCode()).isEqualTo(other.hashCode()).isEqualTo(model.hashCode());
      assertThat(trie.asMap()).isEqualTo(other.asMap());
      assertThat(trie.asMap().equals(model)).isTrue();
      assertThat(model.equals(trie.asMap())).isTrue();
      assertThat(trie.asMap().hashCode()).isEqualTo(model.hashCode());
      for (Key k : model.keySet()) {
        HashTrie<Key, Integer> changed = trie.put(k, model.get(k) + 1000);
        assertThat(changed).isNotEqualTo(trie);
        assertThat(trie).isNotEqualTo(changed);
        assertThat(changed.asMap().equals(model)).isFalse();
        assertThat(trie.remove(k)).isNotEqualTo(trie);
      }
      assertThat(trie.equals(model)).as("a trie is not a Map; its asMap() view is").isFalse();
    });
  }

  @Test
  void collidingKeysWorkInEveryOperation() {
    Key a = new Key(1, 7);
    Key b = new Key(2, 7);
    Key c = new Key(3, 7);
    Key near = new Key(4, unspread(unspread(7) ^ (1 << 31)));
    HashTrie<Key, Integer> abc = HashTrie.<Key, Integer>empty().put(a, 1).put(b, 2).put(c, 3);
    assertThat(abc.asMap()).containsOnly(Map.entry(a, 1), Map.entry(b, 2), Map.entry(c, 3));
    assertThat(abc.get(new Key(4, 7))).isNull();
    // The last colliding entry left moves back up to the root.
    assertThat(abc.remove(b).remove(c)).isEqualTo(HashTrie.empty().put(a, 1));
    HashTrie<Key, Integer> other = HashTrie.<Key, Integer>empty().put(c, 30).put(near, 4);
    HashTrie<Key, Integer> merged = HashTrie.merge(abc, other, sumUnlessDivisibleByThree());
    // a is odd and left alone, so dropped; 3 + 30 is divisible by 3, so c is dropped too.
    assertThat(merged.asMap()).containsOnly(Map.entry(b, 2), Map.entry(near, 4));
    assertThat(merged).isEqualTo(HashTrie.empty().put(near, 4).put(b, 2));
    assertThat(abc.transform((k, v) -> v == 2 ? null : v)).isEqualTo(abc.remove(b));
    assertThat(HashTrie.<Key, Integer>builder().put(c, 3).put(b, 2).put(a, 1).build())
        .isEqualTo(abc);
  }

  @Test
  void nullKeysAndValuesAreRejectedAndNeverFound() {
    HashTrie<String, Integer> t = HashTrie.<String, Integer>empty().put("a", 1);
    assertThatThrownBy(() -> t.put(null, 1)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> t.put("b", null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> HashTrie.<String, Integer>builder().put(null, 1))
        .isInstanceOf(NullPointerException.class);
    assertThat(t.get(null)).isNull();
    assertThat(t.containsKey(null)).isFalse();
    assertThat(t.asMap().get(null)).isNull();
  }

  @Test
  void toStringReadsLikeAMap() {
    assertThat(HashTrie.empty()).hasToString("{}");
    assertThat(HashTrie.empty().put("a", 1)).hasToString("{a=1}");
  }
}
