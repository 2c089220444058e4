package io.tandem.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Packed maps edited from old versions again and again, as a catch-up that applies its deltas
 * to the same old states every time does, and by several threads at once: every version keeps
 * its keys, values and timestamps.
 */
class FlatOrMapBranchTest {

  private static final ReplicaId BASE = ReplicaId.of(1);
  private static final ReplicaId LEFT = ReplicaId.of(4);
  private static final ReplicaId RIGHT = ReplicaId.of(5);

  @RegisterExtension
  static final PackFrom PACK = PackFrom.maps(4);

  /**
   * {@code m} with keys {@code prefix0 ..} written by {@code self} (value: the key and the
   * writer), each delta kept in {@code out} if given.
   */
  private static OrMap<String, LwwRegister<String>> puts(OrMap<String, LwwRegister<String>> m,
      ReplicaId self, String prefix, int n, List<OrMap<String, LwwRegister<String>>> out) {
    for (int i = 0; i < n; i++) {
      String key = prefix + i;
      Hlc at = new Hlc(10_000 + i, 0, self);
      OrMap<String, LwwRegister<String>> d =
          m.update(self, key, LwwRegister.empty(), r -> r.assign(at, key + "@" + self));
      if (out != null) {
        out.add(d);
      }
      m = m.merge(d);
    }
    return m;
  }

  /** A replica that took the shared base, then wrote its own keys and rewrote some shared ones. */
  private static OrMap<String, LwwRegister<String>> side(ReplicaId self, String own,
      List<OrMap<String, LwwRegister<String>>> out) {
    OrMap<String, LwwRegister<String>> base = puts(OrMap.empty(), BASE, "e", 300, null);
    return puts(puts(base, self, own, 100, out), self, "e", 50, out);
  }

  @Test
  void deltasAppliedToTheSameOldVersionsRoundAfterRoundGiveTheSameJoin() {
    List<OrMap<String, LwwRegister<String>>> leftDeltas = new ArrayList<>();
    List<OrMap<String, LwwRegister<String>>> rightDeltas = new ArrayList<>();
    OrMap<String, LwwRegister<String>> left = side(LEFT, "l", leftDeltas);
    OrMap<String, LwwRegister<String>> right = side(RIGHT, "r", rightDeltas);
    assertThat(left.isPacked()).isTrue();
    // The same join, made of tries only: what every round must give.
    OrMap.packAt = Integer.MAX_VALUE;
    OrMap<String, LwwRegister<String>> join = side(LEFT, "l", null).merge(side(RIGHT, "r", null));
    OrMap.packAt = 4;
    assertThat(join.get("e7").value()).isEqualTo("e7@" + RIGHT);
    // 150 edits a round on two tables of 400 entries: each is used up (4,096) about every 27
    // rounds, so the old versions move to copies of their own along the way.
    for (int round = 0; round < 60; round++) {
      OrMap<String, LwwRegister<String>> l = left;
      OrMap<String, LwwRegister<String>> r = right;
      for (int i = 0; i < leftDeltas.size(); i++) {
        // The two catch-ups interleaved, and the old versions read between their edits.
        l = l.merge(rightDeltas.get(i));
        r = r.merge(leftDeltas.get(i));
        if (i % 40 == 0) {
          assertThat(left.size()).isEqualTo(400);
          assertThat(right.containsKey("l" + i)).isFalse();
          assertThat(left.get("e" + i % 50).value()).isEqualTo("e" + i % 50 + "@" + LEFT);
        }
      }
      assertThat(l).isEqualTo(join);
      assertThat(r).isEqualTo(join);
      assertThat(l.isPacked()).isTrue();
    }
    assertThat(left.merge(right)).isEqualTo(join);
    assertThat(right.merge(left)).isEqualTo(join);
  }

  @Test
  void threadsBranchingFromAndReadingOldVersionsEachSeeTheirOwn() throws Exception {
    List<OrMap<String, LwwRegister<String>>> versions = new ArrayList<>();
    OrMap<String, LwwRegister<String>> m = OrMap.empty();
    for (int i = 0; i < 200; i++) {
      Hlc at = new Hlc(10_000 + i, 0, BASE);
      String key = "e" + i;
      m = m.merge(m.update(BASE, key, LwwRegister.empty(), r -> r.assign(at, key + "@" + BASE)));
      versions.add(m);
    }
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        int seed = t;
        ReplicaId self = ReplicaId.of(10 + t);
        workers.add(pool.submit(() -> {
          Random rnd = new Random(seed);
          for (int k = 0; k < 2000; k++) {
            // Version v holds e0 .. ev; a branch from it rewrites one of them as this thread.
            int v = rnd.nextInt(versions.size());
            OrMap<String, LwwRegister<String>> old = versions.get(v);
            String key = "e" + rnd.nextInt(v + 1);
            Hlc at = new Hlc(20_000 + k, 0, self);
            OrMap<String, LwwRegister<String>> b = old.merge(
                old.update(self, key, LwwRegister.empty(), r -> r.assign(at, "t" + seed)));
            assertThat(b.size()).isEqualTo(v + 1);
            assertThat(b.get(key).value()).isEqualTo("t" + seed);
            assertThat(old.get(key).value()).isEqualTo(key + "@" + BASE);
            int w = rnd.nextInt(versions.size());
            assertThat(versions.get(w).containsKey("e" + (w + 1))).isFalse();
          }
        }));
      }
      for (Future<?> w : workers) {
        w.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (int v = 0; v < versions.size(); v++) {
      assertThat(versions.get(v).size()).isEqualTo(v + 1);
      assertThat(versions.get(v).get("e" + v).value()).isEqualTo("e" + v + "@" + BASE);
    }
  }
}
