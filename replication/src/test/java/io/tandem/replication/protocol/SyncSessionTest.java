package io.tandem.replication.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.crdt.Hlc;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.protocol.Message.Ack;
import io.tandem.replication.protocol.Message.Deltas;
import io.tandem.replication.protocol.Message.Hello;
import io.tandem.replication.protocol.Message.Offer;
import io.tandem.replication.protocol.Message.Range;
import io.tandem.replication.protocol.Message.Request;
import io.tandem.replication.protocol.Message.Resend;
import io.tandem.replication.protocol.Message.Summary;
import io.tandem.replication.protocol.ProtocolException.Reason;
import io.tandem.replication.spi.SyncBase;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The sync protocol with one peer, without I/O: a session over a fake replica (a list of records
 * per feed) gets messages and the time, and the test reads what it answers.
 */
class SyncSessionTest {

  static final ReplicaId ME = ReplicaId.of(0x1);
  static final ReplicaId PEER = ReplicaId.of(0x2);
  private static final ReplicaId X = ReplicaId.of(0x3);
  private static final ReplicaId Y = ReplicaId.of(0x4);

  static final long MIN = 100;
  static final long MAX = 1_600;
  static final long T = 1_700_000_000_000L;
  private static final SessionConfig CONFIG = SessionConfig.DEFAULT.withBackoff(MIN, MAX)
      .withBatch(3, 1 << 20, 8).withOrdered(true);

  // ---- opening ----

  @Test
  void helloExchangeIsFollowedByTheWholeSummary() throws ProtocolException {
    Feeds local = new Feeds(ME).write(ME, 2).write(X, 3).write(Y, 1);
    SyncSession s = new SyncSession(local, CONFIG, 1);

    assertThat(s.start(T)).containsExactly(new Hello(Message.VERSION, ME, false, false));
    assertThat(s.isOpen()).isFalse();

    List<Message> out = s.receive(new Hello(Message.VERSION, PEER, false, false), T + 1,
        new ArrayList<>());

    assertThat(s.isOpen()).isTrue();
    assertThat(s.peer()).isEqualTo(PEER);
    assertThat(out).first().isEqualTo(new Summary(local.vector()));
    assertThat(ofType(out, Summary.class)).hasSize(1);
  }

  @Test
  void laterAcksCarryOnlyTheEntriesThatGrew() throws ProtocolException {
    Feeds local = new Feeds(ME).write(X, 3).write(Y, 2);
    SyncSession s = new SyncSession(local, CONFIG, 1);
    open(s, VersionVector.empty());

    local.write(X, 2); // from another peer, say
    assertThat(acks(s, s.afterChange(T + 10))).containsExactly(VersionVector.of(X, 5));

    local.write(Y, 1);
    assertThat(acks(s, s.afterChange(T + 20))).containsExactly(VersionVector.of(Y, 3));

    assertThat(acks(s, s.afterChange(T + 30))).isEmpty();
  }

  /**
   * Own records pushed in the same change need no ack beside them: the push tells the peer. With
   * the ack built before the push, every change carrying own writes cost an ack frame too (part 2
   * of the bench: 68,058 acks beside 35,142 delta frames; 28,422 after).
   */
  @Test
  void ownRecordsPushedInTheSameChangeAreNotAcknowledgedToo() throws ProtocolException {
    Feeds local = new Feeds(ME);
    SyncSession s = new SyncSession(local, CONFIG, 1);
    open(s, VersionVector.empty());

    local.write(ME, 2);
    List<Message> out = s.afterChange(T + 10);

    assertThat(deltas(out)).containsExactlyElementsOf(local.read(ME, 1, 10));
    assertThat(acks(s, out)).isEmpty();

    local.write(ME, 1).write(X, 1); // a third replica's record beside: that one is acked
    assertThat(acks(s, s.afterChange(T + 20))).containsExactly(VersionVector.of(X, 1));
  }

  /** The sender keeps resending until it hears an ack, so stored deltas must be acknowledged. */
  @Test
  void deltasFromThePeerAreAcknowledgedOnceStored() throws ProtocolException {
    Feeds local = new Feeds(ME);
    SyncSession s = new SyncSession(local, CONFIG, 1);
    open(s, VersionVector.empty());
    List<DeltaRecord> fromPeer = List.of(record(PEER, 1), record(PEER, 2), record(PEER, 3));

    List<DeltaRecord> received = new ArrayList<>();
    s.receive(new Deltas(fromPeer), T + 10, received);
    assertThat(received).isEqualTo(fromPeer);
    received.forEach(local::store);

    assertThat(acks(s, s.afterChange(T + 11))).as("acks after storing PEER#1..3")
        .anySatisfy(v -> assertThat(v.get(PEER)).isEqualTo(3));
  }

  // ---- batch mode ----

  @Test
  void batchModePushesExactlyWhatThePeerLacksInFeedOrder() throws ProtocolException {
    Feeds local = new Feeds(ME).write(ME, 6).write(X, 5).write(Y, 2);
    SyncSession s = new SyncSession(local, CONFIG.withBatch(64, 1 << 20, 64), 1);
    List<Message> out = new ArrayList<>(s.start(T));
    // The peer's hello, then its summary: it holds our first two records, all of X, none of Y.
    out.addAll(s.receive(new Hello(Message.VERSION, PEER, false, false), T + 1,
        new ArrayList<>()));
    out.addAll(s.receive(new Summary(VersionVector.of(ME, 2).with(X, 5)), T + 2,
        new ArrayList<>()));

    List<DeltaRecord> expected = new ArrayList<>(local.read(ME, 3, 100));
    expected.addAll(local.read(Y, 1, 100));
    assertThat(deltas(out)).containsExactlyElementsOf(expected);
  }

  @Test
  void batchModeSendsInBatchesWithinTheWindow() throws ProtocolException {
    Feeds local = new Feeds(ME).write(ME, 20);
    SyncSession s = new SyncSession(local, CONFIG.withBatch(3, 1 << 20, 8), 1);
    List<Message> out = open(s, VersionVector.empty());
    List<DeltaRecord> sent = new ArrayList<>(deltas(out));
    assertBatchesOfAtMost(out, 3);
    assertThat(sent.size()).as("records in flight").isBetween(1, 8);

    // Each ack of five more records lets more go; nothing is sent twice meanwhile.
    int acked = 0;
    long now = T + 10;
    while (sent.size() < 20) {
      acked = Math.min(sent.size(), acked + 5);
      List<Message> more = s.receive(new Ack(vectorOf(sent.subList(0, acked))), now++,
          new ArrayList<>());
      assertBatchesOfAtMost(more, 3);
      assertThat(deltas(more)).as("sent after the ack of %d records", acked).isNotEmpty();
      sent.addAll(deltas(more));
      assertThat(sent.size() - acked).as("records in flight").isLessThanOrEqualTo(8);
    }
    assertThat(sent).containsExactlyElementsOf(local.read(ME, 1, 100));
  }

  /** The window is there to keep a slow link busy: a session fills it, batch after batch. */
  @Test
  void batchModeFillsTheWindowOfEachFeedBeforeWaitingForAcks() throws ProtocolException {
    Feeds local = new Feeds(ME).write(ME, 12).write(X, 8);
    SyncSession s = new SyncSession(local, CONFIG.withBatch(3, 1 << 20, 8), 1);

    List<Message> out = open(s, VersionVector.empty());

    assertThat(ofType(out, Deltas.class).stream().map(d -> d.records().size()).toList())
        .containsExactly(3, 3, 3, 3, 3, 1);
    assertThat(deltas(out)).containsExactlyElementsOf(concat(local.read(ME, 1, 8),
        local.read(X, 1, 8)));
  }

  @Test
  void batchesSplitAtBatchBytesUnlessOneRecordIsLarger() throws ProtocolException {
    Feeds local = new Feeds(ME);
    for (int i = 1; i <= 6; i++) {
      local.store(record(ME, i, i == 4 ? 50 : 10));
    }
    SyncSession s = new SyncSession(local, CONFIG.withBatch(100, 25, 100), 1);
    List<Message> out = open(s, VersionVector.empty());

    List<List<Long>> batches = ofType(out, Deltas.class).stream()
        .map(d -> d.records().stream().map(DeltaRecord::seq).toList()).toList();
    assertThat(batches).containsExactly(List.of(1L, 2L), List.of(3L), List.of(4L),
        List.of(5L, 6L));
  }

  /**
   * The window is per feed: a feed whose records the peer cannot apply yet (they wait for another
   * feed) must not keep the other feed's records from going, or the two wait for each other.
   */
  @Test
  void aFullWindowOfOneFeedHoldsNoOtherFeedBack() throws ProtocolException {
    Feeds local = new Feeds(ME).write(X, 20).write(Y, 5);
    SyncSession s = new SyncSession(local, CONFIG.withBatch(3, 1 << 20, 8), 1);

    List<DeltaRecord> sent = deltas(open(s, VersionVector.empty()));

    assertThat(sent).filteredOn(r -> r.origin().equals(X))
        .containsExactlyElementsOf(local.read(X, 1, 8));
    assertThat(sent).filteredOn(r -> r.origin().equals(Y))
        .containsExactlyElementsOf(local.read(Y, 1, 5));
  }

  /**
   * Over an ordered link nothing is resent on a timer before the cap: records the peer dropped
   * unapplied (its causal buffer was full) go again when it says so, from the first it names.
   */
  @Test
  void recordsThePeerDroppedArePushedAgainFromTheFirstItNames() throws ProtocolException {
    Feeds local = new Feeds(ME).write(ME, 5).write(X, 6);
    SyncSession s = new SyncSession(local, CONFIG.withBatch(64, 1 << 20, 64), 1);
    List<Message> out = open(s, VersionVector.empty());
    assertThat(deltas(out)).hasSize(11);
    s.receive(new Ack(VersionVector.of(ME, 5).with(X, 2)), T + 10, new ArrayList<>());

    List<Message> again = s.receive(new Resend(List.of(new Range(X, 4, 6),
        new Range(PEER, 1, 9))), T + 11, new ArrayList<>());

    assertThat(deltas(again)).as("X from 4; the peer's own feed it holds whole")
        .containsExactlyElementsOf(local.read(X, 4, 10));
    assertThat(deltas(s.tick(T + 12))).as("once").isEmpty();
  }

  @Test
  void aResendOfWhatThePeerAcknowledgedSendsNothing() throws ProtocolException {
    Feeds local = new Feeds(ME).write(ME, 5);
    SyncSession s = new SyncSession(local, CONFIG.withBatch(64, 1 << 20, 64), 1);
    open(s, VersionVector.empty());
    s.receive(new Ack(VersionVector.of(ME, 5)), T + 10, new ArrayList<>());

    assertThat(deltas(s.receive(new Resend(List.of(new Range(ME, 2, 5))), T + 11,
        new ArrayList<>()))).isEmpty();
  }

  @Test
  void interactiveModeServesAgainWhatThePeerDroppedOfThirdReplicasFeeds()
      throws ProtocolException {
    Feeds local = new Feeds(ME).write(X, 4);
    SyncSession s = interactive(local);
    s.receive(new Summary(VersionVector.empty()), T + 2, new ArrayList<>());
    assertThat(deltas(s.receive(new Request(List.of(new Range(X, 1, 4))), T + 3,
        new ArrayList<>()))).hasSize(4);

    List<Message> again = s.receive(new Resend(List.of(new Range(X, 3, 4))), T + 4,
        new ArrayList<>());

    assertThat(deltas(again)).containsExactlyElementsOf(local.read(X, 3, 10));
  }

  @Test
  void aSessionAsksForWhatItDroppedButNeverForItsOwnFeed() throws ProtocolException {
    Feeds local = new Feeds(ME);
    SyncSession s = new SyncSession(local, CONFIG, 1);
    assertThat(s.evicted(X, 3, 7, T)).as("no session yet").isEmpty();
    open(s, VersionVector.empty());

    assertThat(s.evicted(X, 3, 7, T + 1))
        .containsExactly(new Resend(List.of(new Range(X, 3, 7))));
    assertThat(s.evicted(ME, 1, 2, T + 2)).isEmpty();
  }

  // ---- interactive mode ----

  @Test
  void interactiveSummaryOffersOthersRecordsAndOurOwnArePushed() throws ProtocolException {
    Feeds local = new Feeds(ME).write(ME, 6).write(X, 2);
    SyncSession s = new SyncSession(local, CONFIG.withInteractive(true), 1);
    List<Message> out = new ArrayList<>(s.start(T));
    out.addAll(s.receive(new Hello(Message.VERSION, PEER, true, false), T + 1,
        new ArrayList<>()));
    out.addAll(s.receive(new Summary(VersionVector.of(ME, 2)), T + 2, new ArrayList<>()));
    out.addAll(s.tick(T + 3));

    assertThat(ofType(out, Summary.class)).containsExactly(new Summary(local.vector()));
    assertThat(ofType(out, Offer.class)).as("the summary offered it all").isEmpty();
    assertThat(deltas(out)).as("only our own records, which no one else can have sent")
        .containsExactlyElementsOf(local.read(ME, 3, 10));

    List<Message> answer = s.receive(new Request(List.of(new Range(ME, 3, 6),
        new Range(X, 1, 2))), T + 4, new ArrayList<>());
    assertThat(deltas(answer)).as("what was pushed is not sent again on request")
        .containsExactlyElementsOf(local.read(X, 1, 10));
  }

  @Test
  void interactiveSessionRequestsWhatThePeersSummaryHoldsByPositionInItsDictionary()
      throws ProtocolException {
    Feeds local = new Feeds(ME).write(X, 1);
    SyncSession s = interactive(local);
    VersionVector peerHolds = VersionVector.of(PEER, 3).with(X, 4).with(Y, 1);
    List<Message> out = s.receive(new Summary(peerHolds), T + 2, new ArrayList<>());

    long hash = VectorPatch.hash(peerHolds);
    assertThat(ofType(out, Request.class)).containsExactly(new Request(List.of(),
        (int) (hash & 0xff), IndexedEntries.of(new int[] {0, 1, 2}, new long[] {1, 2, 1})));
  }

  @Test
  void interactiveRequestByPositionIsServedUpToAllWeHoldAndIgnoredUnderAnotherTag()
      throws ProtocolException {
    Feeds local = new Feeds(ME).write(ME, 3).write(X, 4);
    SyncSession s = interactive(local);
    s.receive(new Summary(VersionVector.empty()), T + 2, new ArrayList<>());
    // Our dictionary is the whole summary we sent: ME at position 0, X at 1.
    int tag = (int) (VectorPatch.hash(local.vector()) & 0xff);

    List<Message> wrong = s.receive(new Request(List.of(), (tag + 1) & 0xff,
        IndexedEntries.of(new int[] {1}, new long[] {2})), T + 3, new ArrayList<>());
    assertThat(deltas(wrong)).as("another dictionary's positions").isEmpty();
    List<Message> right = s.receive(new Request(List.of(), tag,
        IndexedEntries.of(new int[] {1, 7}, new long[] {2, 1})), T + 4, new ArrayList<>());
    assertThat(deltas(right)).as("X from 2 on; position 7 lies beyond the dictionary")
        .containsExactlyElementsOf(local.read(X, 2, 10));
  }

  @Test
  void recordsAnotherSessionClaimedAreNeitherRequestedNorAcknowledged()
      throws ProtocolException {
    Feeds local = new Feeds(ME).write(X, 1);
    local.claimedElsewhere.put(X, 5L);
    SyncSession s = interactive(local);
    s.receive(new Summary(VersionVector.empty()), T + 2, new ArrayList<>());

    List<Message> out = s.receive(new Offer(List.of(new Range(X, 2, 7), new Range(Y, 1, 2))),
        T + 3, new ArrayList<>());

    assertThat(ofType(out, Request.class)).as("X#2..5 come from elsewhere").containsExactly(
        new Request(List.of(new Range(X, 6, 7), new Range(Y, 1, 2))));
    assertThat(ofType(out, Ack.class)).as("nor do we claim to hold them").isEmpty();
  }

  @Test
  void interactiveModeOffersOthersRecordsThatComeAfterTheSummaryAndSendsOnlyWhatIsRequested()
      throws ProtocolException {
    Feeds local = new Feeds(ME).write(ME, 2);
    SyncSession s = interactive(local);
    s.receive(new Summary(VersionVector.of(ME, 2)), T + 2, new ArrayList<>());
    local.write(ME, 4).write(X, 3);

    List<Message> out = s.afterChange(T + 3);
    out.addAll(s.tick(T + 4));

    assertThat(deltas(out)).as("only our own records are pushed")
        .containsExactlyElementsOf(local.read(ME, 3, 10));
    List<Range> offered = ofType(out, Offer.class).stream()
        .flatMap(o -> o.ranges().stream()).toList();
    assertThat(offered).noneMatch(r -> r.origin().equals(ME));
    for (DeltaRecord lacking : local.read(X, 1, 10)) {
      assertThat(offered).as("offers covering %s", lacking).anySatisfy(r -> {
        assertThat(r.origin()).isEqualTo(lacking.origin());
        assertThat(lacking.seq()).isBetween(r.from(), r.to());
      });
    }

    List<Message> answer = s.receive(new Request(List.of(new Range(X, 2, 3),
        new Range(ME, 6, 6))), T + 6, new ArrayList<>());
    assertThat(deltas(answer)).containsExactlyElementsOf(local.read(X, 2, 2));
  }

  @Test
  void interactiveModeGuessesNothingFromTheSavedBaseBeforeThePeersSummary()
      throws ProtocolException {
    Feeds local = new Feeds(ME).write(ME, 6).write(X, 4);
    // Last time the peer said it held ME#1..2 and all of X.
    local.bases.put(PEER, new SyncBase(VersionVector.empty(), VersionVector.of(ME, 2).with(X, 4)));
    SyncSession s = new SyncSession(local, CONFIG.withInteractive(true), 1);
    s.start(T);
    List<Message> out = s.receive(new Hello(Message.VERSION, PEER, true, false), T + 1,
        new ArrayList<>());
    local.write(ME, 1);
    out.addAll(s.afterChange(T + 2));

    assertThat(ofType(out, Offer.class)).as("the summary, sent, offers; the peer's will tell")
        .isEmpty();
    assertThat(deltas(out)).isEmpty();
  }

  /** An interactive session over {@code local} that has heard the peer's hello. */
  private static SyncSession interactive(Feeds local) throws ProtocolException {
    SyncSession s = new SyncSession(local, CONFIG.withInteractive(true), 1);
    s.start(T);
    s.receive(new Hello(Message.VERSION, PEER, true, false), T + 1, new ArrayList<>());
    return s;
  }

  // ---- receiving ----

  @Test
  void duplicateDeltasAreAnsweredWithAnAckAndNotHandedToTheReplica() throws ProtocolException {
    Feeds local = new Feeds(ME).write(X, 3);
    SyncSession s = new SyncSession(local, CONFIG, 1);
    open(s, VersionVector.empty());

    List<DeltaRecord> received = new ArrayList<>();
    List<Message> out = s.receive(new Deltas(List.of(record(X, 2), record(X, 3))), T + 10,
        received);
    assertThat(received).isEmpty();
    assertThat(acks(s, out)).anySatisfy(v -> assertThat(v.get(X)).isEqualTo(3));

    out = s.receive(new Deltas(List.of(record(X, 3), record(X, 4))), T + 11, received);
    assertThat(received).containsExactly(record(X, 4));
    assertThat(acks(s, out)).anySatisfy(v -> assertThat(v.get(X)).isEqualTo(3));
  }

  // ---- resending ----

  @Test
  void overALossyLinkUnacknowledgedRecordsAreResentAfterTheBackoff() throws ProtocolException {
    Feeds local = new Feeds(ME).write(ME, 3);
    SyncSession s = new SyncSession(local, CONFIG.withOrdered(false), 1);
    assertThat(deltas(open(s, VersionVector.empty()))).isEqualTo(local.read(ME, 1, 3));

    for (long t = T + 1; t < T + MIN; t++) {
      assertThat(s.tick(t)).as("tick at +%d ms", t - T).isEmpty();
    }
    List<Message> resent = List.of();
    long t = T + MIN - 1;
    while (resent.isEmpty() && t <= T + 2 * MIN) {
      resent = s.tick(++t);
    }
    assertThat(t - T).as("ms from the push to the resend").isBetween(MIN, MIN * 3 / 2);
    assertThat(deltas(resent)).isEqualTo(local.read(ME, 1, 3));
  }

  @Test
  void resendsStartOverFromWhatThePeerConfirmed() throws ProtocolException {
    Feeds local = new Feeds(ME).write(ME, 5);
    SyncSession s = new SyncSession(local, CONFIG, 1);
    open(s, VersionVector.empty());
    s.receive(new Ack(VersionVector.of(ME, 2)), T + 1, new ArrayList<>());

    List<Message> resent = List.of();
    for (long t = T + 2; resent.isEmpty() && t < T + 10 * MAX; t++) {
      resent = s.tick(t);
    }
    assertThat(deltas(resent)).isEqualTo(local.read(ME, 3, 3));
  }

  /**
   * MVDS users saw messages never arrive once the backoff had grown without bound: the delay
   * doubles, with jitter, up to the cap, and stays there however often resends fail.
   */
  @Test
  void overALossyLinkResendIntervalsDoubleWithJitterAndNeverExceedTheCap()
      throws ProtocolException {
    // The cap of a lossy link: its backoff grows no further than eight shortest delays.
    long cap = SyncSession.LOSSY_CAP_DELAYS * MIN;
    Feeds local = new Feeds(ME).write(ME, 3);
    SyncSession s = new SyncSession(local, CONFIG.withOrdered(false).withBackoff(MIN, cap), 42);
    open(s, VersionVector.empty());

    List<Long> intervals = new ArrayList<>();
    long last = T;
    for (long t = T + 1; intervals.size() < 50; t++) {
      assertThat(t - last).as("time without a resend").isLessThan(10 * cap);
      if (!s.tick(t).isEmpty()) {
        intervals.add(t - last);
        last = t;
      }
    }

    for (int k = 0; k < intervals.size(); k++) {
      long base = Math.min(cap, MIN << Math.min(k, 20));
      assertThat(intervals.get(k)).as("interval %d of %s", k, intervals)
          .isBetween(base / 2, base * 3 / 2);
    }
    assertThat(new HashSet<>(intervals.subList(10, 50))).as("jitter at the cap")
        .hasSizeGreaterThan(1);
    assertThat(intervals).as("resend intervals, cap %d ms", cap).allSatisfy(i ->
        assertThat(i).isLessThanOrEqualTo(cap));
  }

  @Test
  void overALossyLinkAResendComesSoonOnceThePeerIsHeardAgainAfterASilence()
      throws ProtocolException {
    Feeds local = new Feeds(ME).write(ME, 3);
    SyncSession s = new SyncSession(local, CONFIG.withOrdered(false), 7);
    open(s, VersionVector.empty());
    // Five resends go unanswered: the backoff has grown to its cap.
    long t = T;
    for (int resends = 0; resends < 5; ) {
      t++;
      if (!s.tick(t).isEmpty()) {
        resends++;
      }
    }

    long heard = t + 50;
    s.receive(new Summary(VersionVector.empty()), heard, new ArrayList<>());

    long resent = nextResend(s, heard, heard + MAX * 2);
    assertThat(resent).as("ms from hearing the peer again to the resend")
        .isBetween(0L, MIN);
  }

  // ---- violations ----

  @Test
  void messageBeforeHelloIsAViolationWhenOrdered() {
    for (Message m : beforeHello()) {
      SyncSession s = new SyncSession(new Feeds(ME), CONFIG.withOrdered(true), 1);
      s.start(T);
      assertThatThrownBy(() -> s.receive(m, T + 1, new ArrayList<>())).as("%s", m)
          .isInstanceOfSatisfying(ProtocolException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.VIOLATION));
    }
  }

  @Test
  void messageBeforeHelloIsIgnoredWhenUnordered() throws ProtocolException {
    for (Message m : beforeHello()) {
      Feeds local = new Feeds(ME).write(ME, 1);
      SyncSession s = new SyncSession(local, CONFIG.withOrdered(false), 1);
      s.start(T);
      List<DeltaRecord> received = new ArrayList<>();

      assertThat(s.receive(m, T + 1, received)).as("%s", m).isEmpty();
      assertThat(received).isEmpty();
      assertThat(s.isOpen()).isFalse();
      assertThat(s.peerVector()).isEqualTo(VersionVector.empty());

      s.receive(new Hello(Message.VERSION, PEER, false, true), T + 2, received);
      assertThat(s.isOpen()).isTrue();
    }
  }

  @Test
  void unsupportedVersionIsRefused() {
    // 1 is the version before sync bases: its summaries would be misread; 2 spelled every record
    // in full, which version 3 would misread as its compact records. Both are refused.
    for (int version : new int[] {0, 1, 2, Message.VERSION + 1, Integer.MAX_VALUE}) {
      SyncSession s = new SyncSession(new Feeds(ME), CONFIG, 1);
      s.start(T);
      assertThatThrownBy(() -> s.receive(new Hello(version, PEER, false, false), T + 1,
          new ArrayList<>())).isInstanceOfSatisfying(ProtocolException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_VERSION));
      assertThat(s.isOpen()).isFalse();
    }
  }

  /**
   * Records of our feed we never wrote are refused by a replica that cannot move to a new id
   * (this bare local view; a Replica moves: IdentityTest).
   */
  @Test
  void recordOfOurFeedBeyondWhatWeWroteIsAViolationWhenWeCannotMove() throws ProtocolException {
    Feeds local = new Feeds(ME).write(ME, 3);
    SyncSession s = new SyncSession(local, CONFIG, 1);
    open(s, VersionVector.empty());
    assertThatThrownBy(() -> s.receive(new Deltas(List.of(record(ME, 4))), T + 5,
        new ArrayList<>())).isInstanceOfSatisfying(ProtocolException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.VIOLATION));
  }

  /**
   * A claim of more of our feed than we wrote (a summary, an ack, an offer) is what the honest
   * peers of a store restored from a backup say; it proves nothing, so it is ignored: the
   * session stays open and never believes the peer holds numbers we have yet to write, or we
   * would never send it the records we write under them. (Until 2026-11-24 it closed the
   * session, and so every session with every peer of a restored store, for good.)
   */
  @Test
  void claimOfMoreOfOurFeedThanWeWroteIsIgnored() throws ProtocolException {
    List<Message> claims = List.of(
        new Summary(VersionVector.of(ME, 4)),
        new Ack(VersionVector.of(ME, 4).with(X, 1)),
        new Offer(List.of(new Range(ME, 1, 10))));
    for (Message claim : claims) {
      Feeds local = new Feeds(ME).write(ME, 3);
      SyncSession s = new SyncSession(local, CONFIG, 1);
      open(s, VersionVector.empty());
      s.receive(claim, T + 5, new ArrayList<>());
      assertThat(s.isOpen()).as("%s", claim).isTrue();
      assertThat(s.peerVector().get(ME)).as("what the session believes the peer holds of our"
          + " feed, after %s", claim).isLessThanOrEqualTo(3);
    }
  }

  @Test
  void helloFromAnotherReplicaOnAnOpenSessionIsAViolation() throws ProtocolException {
    SyncSession s = new SyncSession(new Feeds(ME), CONFIG, 1);
    open(s, VersionVector.empty());
    assertThatThrownBy(() -> s.receive(new Hello(Message.VERSION, X, false, true), T + 5,
        new ArrayList<>())).isInstanceOfSatisfying(ProtocolException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.VIOLATION));
  }

  // ---- hellos ----

  @Test
  void helloWithoutHeardYouAfterOpenIsAnsweredWithAHello() throws ProtocolException {
    SyncSession s = new SyncSession(new Feeds(ME), CONFIG, 1);
    s.start(T);
    assertThat(ofType(s.receive(new Hello(Message.VERSION, PEER, false, false), T + 1,
        new ArrayList<>()), Hello.class)).as("the first hello: ours went out at start")
        .isEmpty();

    // The peer says it again without having heard us: our hello was lost.
    List<Message> out = s.receive(new Hello(Message.VERSION, PEER, false, false), T + 2,
        new ArrayList<>());
    assertThat(ofType(out, Hello.class))
        .containsExactly(new Hello(Message.VERSION, ME, false, true));
  }

  @Test
  void helloWithHeardYouIsNotAnswered() throws ProtocolException {
    SyncSession s = new SyncSession(new Feeds(ME), CONFIG, 1);
    s.start(T);
    s.receive(new Hello(Message.VERSION, PEER, false, false), T + 1, new ArrayList<>());

    for (int i = 0; i < 3; i++) {
      assertThat(ofType(s.receive(new Hello(Message.VERSION, PEER, false, true), T + 2 + i,
          new ArrayList<>()), Hello.class)).isEmpty();
    }
  }

  @Test
  void twoSessionsTradeOneHelloEachAndNoMore() throws ProtocolException {
    Pair p = new Pair(new Feeds(ME).write(ME, 2), new Feeds(PEER).write(PEER, 3), CONFIG);
    p.run(20 * MAX);

    assertThat(p.a.isOpen()).isTrue();
    assertThat(p.b.isOpen()).isTrue();
    assertThat(p.log.stream().filter(s -> s.message() instanceof Hello).count()).isEqualTo(2);
  }

  // ---- quiescence ----

  /**
   * Two sessions on a lossless link, acks back within milliseconds: once both hold everything,
   * neither has anything left to say, however long the timers tick (automerge-classic#364).
   */
  @Test
  void sessionThatSentAndReceivedEverythingIsSilentOnTick() throws ProtocolException {
    for (SessionConfig config : List.of(CONFIG, CONFIG.withInteractive(true))) {
      Pair p = new Pair(new Feeds(ME).write(ME, 5).write(X, 2),
          new Feeds(PEER).write(PEER, 4).write(Y, 3), config);
      p.run(20 * MAX);

      assertThat(p.aLocal.vector()).isEqualTo(p.bLocal.vector());
      long convergedAt = p.convergedAt;
      assertThat(p.log).as("interactive %s: messages sent after both held everything at +%d ms",
          config.interactive(), convergedAt - T)
          .noneMatch(s -> s.at() > convergedAt + 2);
    }
  }

  /** Without loss, an ack comes back long before any resend is due: no record goes twice. */
  @Test
  void losslessExchangeSendsEveryRecordOnce() throws ProtocolException {
    for (SessionConfig config : List.of(CONFIG, CONFIG.withInteractive(true))) {
      Pair p = new Pair(new Feeds(ME).write(ME, 5).write(X, 2),
          new Feeds(PEER).write(PEER, 4).write(Y, 3), config);
      p.run(20 * MAX);

      List<DeltaRecord> records = p.log.stream().filter(s -> s.message() instanceof Deltas)
          .flatMap(s -> ((Deltas) s.message()).records().stream()).toList();
      assertThat(records).as("interactive %s", config.interactive())
          .doesNotHaveDuplicates().hasSize(14);
    }
  }

  // ---- helpers ----

  /** A replica's feeds as lists of records, with the vector the session reads. */
  static class Feeds implements SyncSession.Local {
    private final ReplicaId id;
    private final Map<ReplicaId, List<DeltaRecord>> feeds = new HashMap<>();
    private VersionVector vector = VersionVector.empty();
    /** The sync bases sessions saved, by peer, as a replica's store keeps them. */
    final Map<ReplicaId, SyncBase> bases = new HashMap<>();
    /** Per feed, the highest seq another session is about to receive. */
    final Map<ReplicaId, Long> claimedElsewhere = new HashMap<>();

    Feeds(ReplicaId id) {
      this.id = id;
    }

    /** Appends {@code n} records to {@code origin}'s feed. */
    Feeds write(ReplicaId origin, int n) {
      for (int i = 0; i < n; i++) {
        store(record(origin, vector.get(origin) + 1));
      }
      return this;
    }

    /** Stores the next record of its feed; anything else is ignored, as a replica would. */
    void store(DeltaRecord r) {
      if (r.seq() != vector.get(r.origin()) + 1) {
        return;
      }
      feeds.computeIfAbsent(r.origin(), o -> new ArrayList<>()).add(r);
      vector = vector.with(r.origin(), r.seq());
    }

    @Override
    public ReplicaId id() {
      return id;
    }

    @Override
    public VersionVector vector() {
      return vector;
    }

    @Override
    public SyncBase base(ReplicaId peer) {
      return bases.getOrDefault(peer, SyncBase.NONE);
    }

    @Override
    public long claim(ReplicaId origin, long from, long to, Object by, long now, long until) {
      return Math.max(from, claimedElsewhere.getOrDefault(origin, 0L) + 1);
    }

    @Override
    public void saveBase(ReplicaId peer, SyncBase base) {
      bases.put(peer, base);
    }

    @Override
    public List<DeltaRecord> read(ReplicaId origin, long fromSeq, int max) {
      List<DeltaRecord> feed = feeds.getOrDefault(origin, List.of());
      if (fromSeq < 1 || fromSeq > feed.size() || max < 1) {
        return List.of();
      }
      int from = (int) fromSeq - 1;
      return List.copyOf(feed.subList(from, Math.min(feed.size(), from + max)));
    }
  }

  /** A message one session sent, and when. */
  record Sent(long at, SyncSession from, Message message) {}

  /**
   * Two sessions on a lossless link: every message arrives one millisecond after it was sent,
   * records received are stored at once, and both sessions tick every ten milliseconds. Or, with
   * {@link #answersLost}, a link that loses every message a session sends while handling one
   * (an answer) and carries only what it sends on its own clock (start, ticks).
   */
  static final class Pair {
    final Feeds aLocal;
    final Feeds bLocal;
    final SyncSession a;
    final SyncSession b;
    final List<Sent> log = new ArrayList<>();
    /** When both first held every record; Long.MAX_VALUE until then. */
    long convergedAt = Long.MAX_VALUE;
    boolean answersLost;
    private final ArrayDeque<Sent> inFlight = new ArrayDeque<>();
    private long now = T;

    Pair(Feeds aLocal, Feeds bLocal, SessionConfig config) {
      this.aLocal = aLocal;
      this.bLocal = bLocal;
      this.a = new SyncSession(aLocal, config, 11);
      this.b = new SyncSession(bLocal, config, 12);
    }

    void run(long millis) throws ProtocolException {
      VersionVector all = aLocal.vector().merge(bLocal.vector());
      post(a, a.start(now));
      post(b, b.start(now));
      for (long end = now + millis; now < end; ) {
        now++;
        for (int n = inFlight.size(); n > 0; n--) {
          Sent s = inFlight.poll();
          SyncSession to = s.from() == a ? b : a;
          List<DeltaRecord> received = new ArrayList<>();
          List<Message> answer = new ArrayList<>(to.receive(s.message(), now, received));
          if (!received.isEmpty()) {
            received.forEach((to == a ? aLocal : bLocal)::store);
            answer.addAll(to.afterChange(now));
          }
          if (!answersLost) {
            post(to, answer);
          }
        }
        if (now % 10 == 0) {
          post(a, a.tick(now));
          post(b, b.tick(now));
        }
        if (convergedAt == Long.MAX_VALUE && aLocal.vector().equals(all)
            && bLocal.vector().equals(all)) {
          convergedAt = now;
        }
      }
    }

    private void post(SyncSession from, List<Message> out) {
      for (Message m : out) {
        Sent s = new Sent(now, from, m);
        log.add(s);
        inFlight.add(s);
      }
    }
  }

  private static VersionVector vectorOf(List<DeltaRecord> records) {
    VersionVector v = VersionVector.empty();
    for (DeltaRecord r : records) {
      v = v.with(r.origin(), Math.max(v.get(r.origin()), r.seq()));
    }
    return v;
  }

  /** Opens a session with PEER, which then reports holding {@code peerHas}; all messages out. */
  private static List<Message> open(SyncSession s, VersionVector peerHas)
      throws ProtocolException {
    List<Message> out = new ArrayList<>(s.start(T));
    out.addAll(s.receive(new Hello(Message.VERSION, PEER, false, true), T, new ArrayList<>()));
    out.addAll(s.receive(new Summary(peerHas), T, new ArrayList<>()));
    return out;
  }

  /** Ticks every millisecond in (from, to]: how long after {@code from} the first resend went. */
  static long nextResend(SyncSession s, long from, long to) {
    for (long t = from + 1; t <= to; t++) {
      if (!deltas(s.tick(t)).isEmpty()) {
        return t - from;
      }
    }
    throw new AssertionError("no resend by +" + (to - from) + " ms");
  }

  private static List<Message> beforeHello() {
    return List.of(new Summary(VersionVector.of(X, 1)), new Ack(VersionVector.of(X, 1)),
        new Deltas(List.of(record(X, 1))), new Offer(List.of(new Range(X, 1, 2))),
        new Request(List.of(new Range(ME, 1, 1))));
  }

  private static void assertBatchesOfAtMost(List<Message> out, int records) {
    assertThat(ofType(out, Deltas.class)).allSatisfy(d ->
        assertThat(d.records()).hasSizeBetween(1, records));
  }

  static DeltaRecord record(ReplicaId origin, long seq) {
    return record(origin, seq, 4);
  }

  static DeltaRecord record(ReplicaId origin, long seq, int payloadBytes) {
    byte[] payload = new byte[payloadBytes];
    payload[0] = (byte) seq;
    return new DeltaRecord(origin, seq, VersionVector.empty(), new Hlc(T + seq, 0, origin),
        "o", payload);
  }

  static <M> List<M> ofType(List<Message> out, Class<M> type) {
    return out.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** The entries of the acks in {@code out}, as {@code s} sent them, positions resolved. */
  private static List<VersionVector> acks(SyncSession s, List<Message> out) {
    List<VersionVector> vs = new ArrayList<>();
    for (Ack a : ofType(out, Ack.class)) {
      try {
        vs.add(s.entriesOf(a));
      } catch (ProtocolException e) {
        throw new AssertionError(e);
      }
    }
    return vs;
  }

  static List<DeltaRecord> deltas(List<Message> out) {
    return ofType(out, Deltas.class).stream().flatMap(d -> d.records().stream()).toList();
  }

  private static List<DeltaRecord> concat(List<DeltaRecord> a, List<DeltaRecord> b) {
    List<DeltaRecord> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
