package io.tandem.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Packed sets edited from old versions again and again, as a catch-up that applies its deltas
 * to the same old states every time does: every version keeps its value, and a version whose
 * table has taken its share of edits moves to a copy of its own once, not at every branch.
 */
class FlatOrSetBranchTest {

  private static final ReplicaId BASE = ReplicaId.of(1);
  private static final ReplicaId LEFT = ReplicaId.of(2);
  private static final ReplicaId RIGHT = ReplicaId.of(3);

  private int packAt;

  @BeforeEach
  void packEarly() {
    packAt = OrSet.packAt;
    OrSet.packAt = 4;
  }

  @AfterEach
  void restore() {
    OrSet.packAt = packAt;
  }

  /** {@code s} with {@code prefix0 ..} added by {@code self}, each delta kept in {@code out}. */
  private static OrSet<String> adds(OrSet<String> s, ReplicaId self, String prefix, int n,
      List<OrSet<String>> out) {
    for (int i = 0; i < n; i++) {
      OrSet<String> d = s.add(self, prefix + i);
      out.add(d);
      s = s.merge(d);
    }
    return s;
  }

  @Test
  void deltasAppliedToTheSameOldVersionsRoundAfterRoundGiveTheSameJoin() {
    List<OrSet<String>> ignored = new ArrayList<>();
    List<OrSet<String>> leftDeltas = new ArrayList<>();
    List<OrSet<String>> rightDeltas = new ArrayList<>();
    OrSet<String> left = adds(adds(OrSet.empty(), BASE, "e", 300, ignored), LEFT, "l", 150,
        leftDeltas);
    OrSet<String> right = adds(adds(OrSet.empty(), BASE, "e", 300, ignored), RIGHT, "r", 150,
        rightDeltas);
    assertThat(left.isPacked()).isTrue();
    // The same join, made of tries only: what every round must give.
    OrSet.packAt = Integer.MAX_VALUE;
    OrSet<String> leftTrie = adds(adds(OrSet.empty(), BASE, "e", 300, ignored), LEFT, "l", 150,
        ignored);
    OrSet<String> rightTrie = adds(adds(OrSet.empty(), BASE, "e", 300, ignored), RIGHT, "r", 150,
        ignored);
    OrSet<String> join = leftTrie.merge(rightTrie);
    OrSet.packAt = 4;
    // 300 edits a round on two tables of 450 entries: each is used up (4,096) about every
    // 27 rounds, so the old versions move to copies of their own along the way.
    List<OrSet<String>> results = new ArrayList<>();
    for (int round = 0; round < 70; round++) {
      OrSet<String> l = left;
      OrSet<String> r = right;
      for (int i = 0; i < leftDeltas.size(); i++) {
        // The two catch-ups interleaved, and the old versions read between their edits.
        l = l.merge(rightDeltas.get(i));
        r = r.merge(leftDeltas.get(i));
        if (i % 50 == 0) {
          assertThat(left.size()).isEqualTo(leftTrie.size());
          assertThat(right.contains("l" + i)).isFalse();
        }
      }
      assertThat(l).isEqualTo(join);
      assertThat(r).isEqualTo(join);
      results.add(l);
      results.add(r);
    }
    assertThat(left).isEqualTo(leftTrie);
    assertThat(right).isEqualTo(rightTrie);
    for (OrSet<String> result : results) {
      assertThat(result).isEqualTo(join);
    }
  }

  @Test
  void anOldVersionOnAUsedUpTableMovesToACopyOfItsOwnOnceAndStays() {
    List<OrSet<String>> ignored = new ArrayList<>();
    OrSet<String> held = adds(OrSet.empty(), BASE, "e", 100, ignored);
    OrSet<String> s = held;
    // Re-adds edit without growing the table, until it has taken its share and more.
    for (int round = 0; round < 50; round++) {
      for (int i = 0; i < 100; i++) {
        s = s.merge(s.add(round % 2 == 0 ? LEFT : BASE, "e" + i));
      }
    }
    OrSet<String> first = held.merge(held.add(RIGHT, "x"));
    OrSet<String> second = held.merge(held.add(RIGHT, "y"));
    OrSet<String> third = held.merge(held.add(RIGHT, "z"));
    // The first branch moved the held version to a copy; the later ones reroot that copy.
    assertThat(second.sharesTableWith(held)).isTrue();
    assertThat(third.sharesTableWith(first)).isTrue();
    assertThat(held.sharesTableWith(s)).isFalse();
    assertThat(first.elements()).contains("x").doesNotContain("y", "z");
    assertThat(second.elements()).contains("y").doesNotContain("x", "z");
    assertThat(third.elements()).contains("z").doesNotContain("x", "y");
    assertThat(held.size()).isEqualTo(100);
    assertThat(held.dotsOf("e7")).containsExactly(Dot.of(BASE, 8));
    assertThat(s.dotsOf("e7")).isNotEqualTo(held.dotsOf("e7"));
    assertThat(held.merge(s)).isEqualTo(s);
  }

  @Test
  void threadsBranchingFromAndReadingOldVersionsEachSeeTheirOwn() throws Exception {
    List<OrSet<String>> versions = new ArrayList<>();
    OrSet<String> s = OrSet.empty();
    for (int i = 0; i < 200; i++) {
      s = s.merge(s.add(BASE, "e" + i));
      versions.add(s);
    }
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<Integer>> branchers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        int seed = t;
        ReplicaId self = ReplicaId.of(10 + t);
        Callable<Integer> task = () -> {
          Random rnd = new Random(seed);
          int branches = 0;
          for (int k = 0; k < 2500; k++) {
            // Version v holds e0 .. ev; a branch from it adds one of this thread's own.
            int v = rnd.nextInt(versions.size());
            OrSet<String> old = versions.get(v);
            String mine = "t" + seed + "-" + k;
            OrSet<String> b = old.merge(old.add(self, mine));
            assertThat(b.size()).isEqualTo(v + 2);
            assertThat(b.contains(mine)).isTrue();
            assertThat(b.contains("e" + v)).isTrue();
            assertThat(old.contains(mine)).isFalse();
            assertThat(old.size()).isEqualTo(v + 1);
            int w = rnd.nextInt(versions.size());
            assertThat(versions.get(w).contains("e" + (w + 1))).isFalse();
            branches++;
          }
          return branches;
        };
        branchers.add(pool.submit(task));
      }
      for (Future<Integer> b : branchers) {
        assertThat(b.get(120, TimeUnit.SECONDS)).isEqualTo(2500);
      }
    } finally {
      pool.shutdownNow();
    }
    for (int v = 0; v < versions.size(); v++) {
      assertThat(versions.get(v).size()).isEqualTo(v + 1);
    }
  }
}
