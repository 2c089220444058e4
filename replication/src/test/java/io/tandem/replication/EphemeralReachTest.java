package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.tandem.crdt.ReplicaId;
import io.tandem.replication.sim.LinkConditions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A property over generated schedules (seeded, on virtual time): replicas go offline and come
 * back, links lose, duplicate and reorder, and replicas publish. Whatever happens, a message is
 * heard only by replicas its author had a session with when it published, at most once each,
 * never by its author, and publishing stores nothing. A failure names the seed; replay it with
 * {@code -Dtandem.seed=N}.
 */
class EphemeralReachTest {

  private static final int SCHEDULES = Integer.getInteger("tandem.schedules", 200) / 4;
  private static final int REPLICAS = 4;

  @Test
  void aMessageIsHeardOnlyWhereItsAuthorWasConnectedAndAtMostOnce() {
    Long replay = Long.getLong("tandem.seed");
    if (replay != null) {
      run(replay);
      return;
    }
    long[] totals = new long[2];
    qt().withExamples(SCHEDULES).withShrinkCycles(0).forAll(longs().all())
        .checkAssert(seed -> {
          long[] t = run(seed);
          totals[0] += t[0];
          totals[1] += t[1];
        });
    System.out.printf("EphemeralReachTest: %d schedules, %d messages handed to peers, %d heard%n",
        SCHEDULES, totals[0], totals[1]);
    // Not vacuous: most of what was handed to a peer was heard.
    assertThat(totals[1]).as("heard, of %d handed to peers", totals[0])
        .isGreaterThan(totals[0] / 2);
  }

  /** @return how many times messages were handed to a peer, and how many were heard */
  private static long[] run(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Links links = random.nextBoolean() ? Links.ORDERED : Links.UNORDERED;
    SimCluster c = new SimCluster(seed, REPLICAS, SyncMode.BATCH, links);
    for (int i = 0; i < REPLICAS; i++) {
      Notes.put(c.replica(i), "notes", "n" + i, "v" + i);
    }
    c.settle(60_000);
    if (links == Links.UNORDERED) {
      c.net.conditionsForAll(new LinkConditions(0.2, 0.2, 1, 300));
    }
    List<ReplicaState> before = states(c);
    List<EphemeralHeard> heard = new ArrayList<>();
    for (int i = 0; i < REPLICAS; i++) {
      heard.add(EphemeralHeard.on(c.replica(i)));
    }
    // Per message (its payload), the replicas its author had a session with as it published.
    Map<String, Set<ReplicaId>> mayHear = new HashMap<>();
    long handed = 0;
    for (int step = 0; step < 60; step++) {
      int who = random.nextInt(REPLICAS);
      if (random.nextInt(4) == 0) {
        c.net.setOnline(c.names.get(who), !c.net.isOnline(c.names.get(who)));
      } else {
        Replica author = c.replica(who);
        String payload = seed + "/" + step;
        Set<ReplicaId> open = new HashSet<>();
        author.peers().forEach((id, s) -> {
          if (s.connected()) {
            open.add(id);
          }
        });
        int reached = author.publish("t", payload.getBytes(StandardCharsets.UTF_8));
        assertThat(reached).as("seed %d: reached", seed).isEqualTo(open.size());
        mayHear.put(payload, open);
        handed += reached;
      }
      c.net.runFor(random.nextLong(1, 800));
    }
    c.net.runFor(30_000);

    for (int i = 0; i < REPLICAS; i++) {
      ReplicaId me = c.replica(i).id();
      List<String> got = heard.get(i).all();
      assertThat(got).as("seed %d: r%d hears each message once at most", seed, i)
          .doesNotHaveDuplicates();
      for (String line : got) {
        String payload = line.substring(line.lastIndexOf(' ') + 1);
        assertThat(mayHear.get(payload)).as("seed %d: r%d heard %s", seed, i, line)
            .contains(me);
      }
    }
    assertThat(states(c)).as("seed %d: nothing stored", seed).isEqualTo(before);
    long heardAll = 0;
    for (EphemeralHeard h : heard) {
      heardAll += h.all().size();
    }
    return new long[] {handed, heardAll};
  }

  private static List<ReplicaState> states(SimCluster c) {
    List<ReplicaState> out = new ArrayList<>();
    for (int i = 0; i < REPLICAS; i++) {
      out.add(ReplicaState.of(c.replica(i), c.stores.get(i)));
    }
    return out;
  }
}
