package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.ReplicaId;
import io.tandem.replication.sim.LinkConditions;
import io.tandem.replication.sim.NetworkStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The stories from our documents, each told as a test on the simulator. */
class ScenarioTest {

  /** A and C never meet; B relays, so C still gets A's writes, in causal order. */
  @Test
  void writesTravelThroughARelayBetweenReplicasThatNeverMeet() {
    SimCluster c = new SimCluster(7, 3, SyncMode.BATCH);
    c.net.cut("r0", "r2");
    Notes.put(c.replica(0), "contacts", "ann", "Ann");
    Notes.put(c.replica(0), "contacts", "bob", "Bob");
    c.settle(60_000);
    assertThat(Notes.get(c.replica(2), "contacts", "ann")).isEqualTo("Ann");
    assertThat(c.net.stats().link("r0", "r2").frames()).isZero();
    c.assertConverged();
    c.checker.assertNoViolation();
  }

  /**
   * Two devices and a relay: what the devices write reaches each other through the relay, and
   * their direct link carries no records; with the relay offline, it goes directly (the relay
   * is never needed for correctness).
   */
  @Test
  void devicesSendThroughARelayAndDirectlyWhileItIsGone() {
    SimCluster c = new SimCluster(23, 3, SyncMode.BATCH, 2);
    c.settle(10_000);
    NetworkStats opened = c.net.stats();
    for (int i = 0; i < 20; i++) {
      Notes.put(c.replica(i % 2), "contacts", "k" + i, "v" + i);
      c.net.runFor(50);
    }
    c.settle(60_000);
    c.assertConverged();
    NetworkStats s = c.net.stats().minus(opened);
    NetworkStats.Traffic direct = s.link("r0", "r1").plus(s.link("r1", "r0"));
    NetworkStats.Traffic relayed = s.link("r2", "r0").plus(s.link("r2", "r1"));
    // An ack of one or two feeds is a dozen bytes; a frame with a record several dozen.
    assertThat(direct.bytes()).as("acks only directly: %s; from the relay %s", direct, relayed)
        .isLessThanOrEqualTo(16 * direct.frames());
    assertThat(relayed.bytes()).isGreaterThan(16 * relayed.frames());

    c.net.setOnline("r2", false);
    Notes.put(c.replica(0), "contacts", "late", "Late");
    c.net.runFor(30_000);
    assertThat(Notes.get(c.replica(1), "contacts", "late")).isEqualTo("Late");
    c.net.setOnline("r2", true);
    c.settle(60_000);
    c.assertConverged();
    c.checker.assertNoViolation();
  }

  /**
   * The phone adds a contact; the tablet, having seen it, writes a draft to that contact. Under
   * any schedule, the PC never shows the draft without the contact.
   */
  @Test
  void thePcNeverShowsADraftWithoutItsContact() {
    qt().withExamples(200).withShrinkCycles(0).forAll(longs().all()).checkAssert(seed -> {
      SplittableRandom random = new SplittableRandom(seed);
      SimCluster c = new SimCluster(seed, 3, random.nextBoolean() ? SyncMode.BATCH
          : SyncMode.INTERACTIVE);
      Replica phone = c.replica(0);
      Replica tablet = c.replica(1);
      Replica pc = c.replica(2);
      for (String[] link : new String[][] {{"r0", "r1"}, {"r0", "r2"}, {"r1", "r2"}}) {
        c.net.conditions(link[0], link[1], new LinkConditions(random.nextDouble() * 0.9,
            random.nextDouble() * 0.3, 1, 1 + random.nextInt(3_000)));
      }
      List<String> broken = new ArrayList<>();
      pc.addListener(change -> {
        OrMap<String, LwwRegister<String>> drafts = pc.get("drafts", Notes.map());
        OrMap<String, LwwRegister<String>> contacts = pc.get("contacts", Notes.map());
        for (String draft : drafts.keySet()) {
          String to = drafts.get(draft).value();
          if (!contacts.containsKey(to)) {
            broken.add("draft " + draft + " to " + to + " shown without its contact");
          }
        }
      });
      for (int i = 0; i < 5; i++) {
        String contact = "contact" + i;
        Notes.put(phone, "contacts", contact, "Person " + i);
        // The tablet writes the draft only once it has seen the contact.
        c.net.runFor(random.nextInt(5_000));
        while (Notes.get(tablet, "contacts", contact) == null) {
          c.net.runFor(500);
        }
        Notes.put(tablet, "drafts", "draft" + i, contact);
      }
      c.heal();
      c.settle(10 * 60_000);
      assertThat(broken).isEmpty();
      assertThat(pc.get("drafts", Notes.map()).size()).isEqualTo(5);
      c.checker.assertNoViolation();
    });
  }

  /**
   * After a long time offline, a reconnect exchanges hellos, one summary each way (a hash of the
   * base and the entries that changed), the records written meanwhile and their
   * acknowledgement: what changed, not what exists.
   */
  @Test
  void aReconnectAfterALongOfflineSpellExchangesOnlyWhatChanged() {
    SimCluster c = new SimCluster(11, 2, SyncMode.BATCH);
    for (int i = 0; i < 200; i++) {
      Notes.put(c.replica(0), "contacts", "c" + i, "v" + i);
    }
    c.settle(60_000);
    c.net.setOnline("r1", false);
    c.net.runFor(7 * 24 * 3600_000L / 1000); // a while: timers keep ticking
    for (int i = 0; i < 10; i++) {
      Notes.put(c.replica(0), "contacts", "c" + i, "changed" + i);
    }
    c.net.resetStats();
    c.net.setOnline("r1", true);
    c.settle(60_000);
    NetworkStats s = c.net.stats();
    assertThat(s.kind("hello").frames()).as(s.byLink().toString() + s.summary()).isEqualTo(2);
    assertThat(s.kind("summary").frames()).isEqualTo(2);
    assertThat(s.kind("deltas").frames()).isEqualTo(1);
    assertThat(s.kind("ack").frames()).isEqualTo(1);
    assertThat(s.sent().frames()).isEqualTo(6);
    // The handshake names the feed that grew against the base both kept: hellos, two summaries
    // of a hash and one entry or none, an ack of one entry (issue 6's budget, 64 + 8 bytes).
    assertThat(s.sent().bytes() - s.kind("deltas").bytes()).isLessThanOrEqualTo(72);
    // Ten small deltas and the handshake: well under what the 200 contacts weigh.
    assertThat(s.sent().bytes()).isLessThan(1_200);
    assertThat(Notes.get(c.replica(1), "contacts", "c3")).isEqualTo("changed3");
    c.assertConverged();
  }

  /** Ten thousand small objects (one per note), one changes: the reconnect costs that change. */
  @Test
  void oneChangeAmongTenThousandObjectsCostsOneChange() {
    SimCluster c = new SimCluster(13, 2, SyncMode.BATCH);
    for (int i = 0; i < 10_000; i++) {
      Notes.put(c.replica(0), "note-" + i, "text", "text " + i);
    }
    c.settle(10 * 60_000);
    assertThat(c.replica(1).objects()).hasSize(10_000);
    c.net.setOnline("r1", false);
    Notes.put(c.replica(0), "note-42", "text", "edited");
    c.net.resetStats();
    c.net.setOnline("r1", true);
    c.settle(60_000);
    NetworkStats s = c.net.stats();
    assertThat(s.kind("deltas").frames()).as(s.byLink() + s.summary()).isEqualTo(1);
    assertThat(s.sent().bytes()).isLessThan(400);
    assertThat(Notes.get(c.replica(1), "note-42", "text")).isEqualTo("edited");
    c.assertConverged();
  }

  /**
   * One replica syncs with three peers at once, everyone writing, on lossy links: no delta is
   * applied twice, no sync loop, and all converge (Automerge's tracker saw loops here).
   */
  @Test
  void aHubWithThreeWritingPeersOnLossyLinksConvergesWithoutLoops() {
    SimCluster c = new SimCluster(17, 4, SyncMode.BATCH);
    c.net.conditionsForAll(new LinkConditions(0.3, 0.2, 5, 400));
    // A star: the three peers only ever meet the hub.
    c.net.cut("r1", "r2");
    c.net.cut("r1", "r3");
    c.net.cut("r2", "r3");
    SplittableRandom random = new SplittableRandom(17);
    for (int i = 0; i < 400; i++) {
      Replica r = c.replica(random.nextInt(4));
      c.net.scheduler().schedule(random.nextLong(30_000), () -> Workload.write(r, random));
    }
    c.net.runFor(30_001);
    c.net.conditionsForAll(LinkConditions.PERFECT);
    c.settle(10 * 60_000);
    c.assertConverged();
    c.assertMatchesOracle();
    c.checker.assertNoViolation(); // includes: each record applied once, in feed order
    NetworkStats before = c.net.stats();
    c.net.runFor(60_000);
    assertThat(c.net.stats().minus(before).sent().frames()).isZero();
  }

  /** "My note is safe on the PC": a receipt completes once the PC has stored the write. */
  @Test
  void aDeliveryReceiptCompletesOnceTheChosenDeviceHoldsTheWrite() {
    SimCluster c = new SimCluster(19, 3, SyncMode.BATCH);
    Replica phone = c.replica(0);
    ReplicaId pc = c.replica(2).id();
    c.net.setOnline("r2", false);
    Write w = Notes.put(phone, "notes", "n1", "Groceries");
    CompletableFuture<Void> onPc = w.on(pc);
    CompletableFuture<Set<ReplicaId>> anyOne = w.onAny(1);
    c.net.runFor(10_000);
    assertThat(onPc).isNotDone();
    assertThat(anyOne).isCompletedWithValue(Set.of(c.replica(1).id()));
    // The PC comes back while the phone is gone: the tablet carries the note to it, and the
    // phone learns of the PC's copy when it returns.
    c.net.setOnline("r0", false);
    c.net.setOnline("r2", true);
    c.net.runFor(10_000);
    assertThat(onPc).isNotDone();
    c.net.setOnline("r0", true);
    c.settle(60_000);
    assertThat(onPc).isDone();
    assertThat(w.acknowledgedBy()).containsExactlyInAnyOrder(pc, c.replica(1).id());
  }

  @Test
  void peerStatusShowsConnectionPendingAndSync() {
    SimCluster c = new SimCluster(23, 2, SyncMode.BATCH);
    c.settle(10_000);
    c.net.setOnline("r1", false);
    c.net.runFor(1_000);
    for (int i = 0; i < 5; i++) {
      Notes.put(c.replica(0), "notes", "n" + i, "x");
    }
    PeerStatus away = c.replica(0).peers().get(c.replica(1).id());
    assertThat(away.connected()).isFalse();
    assertThat(away.pendingOut()).isEqualTo(5);
    c.net.setOnline("r1", true);
    c.settle(60_000);
    PeerStatus back = c.replica(0).peers().get(c.replica(1).id());
    assertThat(back.connected()).isTrue();
    assertThat(back.inSync()).isTrue();
    assertThat(back.lastExchange()).isPositive();
  }

  /**
   * A peer whose clock runs a day fast: its writes wait until the others' time catches up with
   * the bound, and are never lost; no clock is dragged a day forward.
   */
  @Test
  void writesFromAClockADayFastAreDelayedNotLost() {
    SimCluster c = new SimCluster(29, 2, SyncMode.BATCH, new long[] {86_400_000L, 0});
    Notes.put(c.replica(0), "notes", "n1", "from the future");
    c.net.runFor(60_000);
    assertThat(Notes.get(c.replica(1), "notes", "n1")).isNull();
    assertThat(c.replica(1).metrics().heldForClock()).isPositive();
    c.net.runFor(86_400_000L);
    c.settle(10 * 60_000);
    assertThat(Notes.get(c.replica(1), "notes", "n1")).isEqualTo("from the future");
  }

  /**
   * Deltas whose dependencies are missing wait in a bounded buffer; past the bound some are
   * evicted and fetched again later; none is lost.
   */
  @Test
  void theCausalBufferStaysBoundedAndEvictedDeltasAreFetchedAgain() {
    // One record per frame on a lossy, reordering link fills the buffer with records whose
    // predecessors were lost or are late.
    SimCluster c = new SimCluster(31, 2, SyncMode.BATCH, new long[2],
        cfg -> cfg.withMaxBufferedDeltas(20)
            .withSession(cfg.session().withBatch(1, 1 << 20, 4096)));
    c.net.directedConditions("r0", "r1", new LinkConditions(0.3, 0.1, 1, 2_000));
    int[] maxBuffered = {0};
    Runnable[] sample = new Runnable[1];
    sample[0] = () -> {
      maxBuffered[0] = Math.max(maxBuffered[0], c.replica(1).metrics().bufferedDeltas());
      c.net.scheduler().schedule(10, sample[0]);
    };
    sample[0].run();
    for (int i = 0; i < 300; i++) {
      Notes.put(c.replica(0), "drafts", "d" + i, "x");
    }
    c.net.runFor(30_000);
    c.net.conditionsForAll(LinkConditions.PERFECT);
    c.settle(10 * 60_000);
    assertThat(c.replica(1).get("drafts", Notes.map()).size()).isEqualTo(300);
    assertThat(maxBuffered[0]).isBetween(1, 20);
    assertThat(c.replica(1).metrics().evictions()).as("max buffered %s", maxBuffered[0])
        .isPositive();
    assertThat(c.replica(1).metrics().bufferedDeltas()).isZero();
    c.checker.assertNoViolation();
  }
}
