package io.tandem.replication.protocol;

import static io.tandem.replication.protocol.SyncSessionTest.MAX;
import static io.tandem.replication.protocol.SyncSessionTest.ME;
import static io.tandem.replication.protocol.SyncSessionTest.MIN;
import static io.tandem.replication.protocol.SyncSessionTest.PEER;
import static io.tandem.replication.protocol.SyncSessionTest.T;
import static io.tandem.replication.protocol.SyncSessionTest.deltas;
import static io.tandem.replication.protocol.SyncSessionTest.ofType;
import static org.assertj.core.api.Assertions.assertThat;

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
import io.tandem.replication.protocol.Message.Summary;
import io.tandem.replication.protocol.SyncSessionTest.Feeds;
import io.tandem.replication.protocol.SyncSessionTest.Pair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Over a lossy link every leg of an exchange is repeated by its own sender until the next leg
 * shows it arrived: a summary the peer says it lacks, a request whose records have not come,
 * requested records whose ack is overdue; and a record the peer wrote acknowledges what it
 * depended on. Before, the summary and the request went only in
 * answer to the peer's hello or offer, so an exchange got through only when a frame and its
 * answer both did (bench part 4, world (a), seed 4: the phones' session opened after 825 s and
 * records through the third device waited minutes; median latency 20 s, now 9.5 s). Time is the
 * sessions' virtual time; "a link that loses every answer" drops whatever a session sends while
 * handling a frame, and carries what it sends on its own clock ({@link Pair#answersLost}).
 */
class LossyExchangeTest {

  private static final ReplicaId X = ReplicaId.of(0x3);
  private static final SessionConfig LOSSY = SessionConfig.DEFAULT.withBackoff(MIN, MAX)
      .withOrdered(false).withInteractive(true);
  /** The resend cap of a lossy link: eight shortest delays, at most the configured cap. */
  private static final long CAP = Math.min(MAX, SyncSession.LOSSY_CAP_DELAYS * MIN);
  /** How often an ack goes again while acks are known to be lost. */
  private static final long ECHO_EVERY = SyncSession.CLAIM_ROUND_TRIPS * MIN;

  @Test
  void overALossyLinkASessionOpensEvenWhenEveryAnswerIsLost() throws ProtocolException {
    Feeds aLocal = new Feeds(ME).write(ME, 3);
    Feeds bLocal = new Feeds(PEER).write(PEER, 2);
    Pair link = answersLost(aLocal, bLocal, LOSSY.withInteractive(false));

    link.run(60 * CAP);

    assertThat(bLocal.vector().get(ME)).as("A's records reached B").isEqualTo(3);
    assertThat(aLocal.vector().get(PEER)).as("B's records reached A").isEqualTo(2);
  }

  @Test
  void overAnOrderedLinkTheSummaryIsNotRepeated() throws ProtocolException {
    SyncSession s = new SyncSession(new Feeds(ME), LOSSY.withOrdered(true), 1);
    s.start(T);
    s.receive(new Hello(Message.VERSION, PEER, true, true), T, new ArrayList<>());
    s.receive(new Summary(VersionVector.empty()), T, new ArrayList<>());

    List<Message> answer = s.receive(new Hello(Message.VERSION, PEER, true, false), T + 1,
        new ArrayList<>());
    assertThat(ofType(answer, Summary.class)).hasSize(1);
    for (long t = T + 2; t <= T + 100 * CAP; t += MIN) {
      assertThat(ofType(s.tick(t), Summary.class)).as("at %d", t - T).isEmpty();
    }
  }

  @Test
  void theSummaryGoesAgainUntilThePeerSendsRecords() throws ProtocolException {
    Feeds local = new Feeds(ME);
    SyncSession s = opened(local);
    s.receive(new Hello(Message.VERSION, PEER, true, false), T + 1, new ArrayList<>());

    int echoes = 0;
    for (long t = T + 2; t <= T + 10 * CAP; t += MIN) {
      echoes += ofType(s.tick(t), Summary.class).size();
    }
    assertThat(echoes).as("one every resend cap").isBetween(9, 10);
    List<DeltaRecord> received = new ArrayList<>();
    s.receive(new Deltas(new Feeds(PEER).write(PEER, 1).read(PEER, 1, 1)), T + 10 * CAP + 1,
        received);
    received.forEach(local::store);
    for (long t = T + 10 * CAP + 2; t <= T + 100 * CAP; t += MIN) {
      assertThat(ofType(s.tick(t), Summary.class)).as("at %d", t - T).isEmpty();
    }
  }

  @Test
  void aRequestIsAskedAgainWithBackoffUntilItsRecordsComeFromAnyPeer() throws ProtocolException {
    Feeds local = new Feeds(ME);
    SyncSession s = opened(local);
    List<Message> first = s.receive(new Offer(List.of(new Range(X, 1, 3))), T + 1,
        new ArrayList<>());
    assertThat(ofType(first, Request.class)).hasSize(1);

    List<Long> asked = new ArrayList<>();
    for (long t = T + 2; t <= T + 6 * CAP; t++) {
      for (Request q : ofType(s.tick(t), Request.class)) {
        assertThat(q.ranges()).containsExactly(new Range(X, 1, 3));
        asked.add(t - T - 1);
      }
    }
    assertThat(asked).as("after 1, 2, 4 shortest delays, then every cap").startsWith(MIN,
        3 * MIN, 7 * MIN, 7 * MIN + CAP);
    local.write(X, 3); // another peer brought them
    for (long t = T + 6 * CAP + 1; t <= T + 20 * CAP; t += MIN / 2) {
      assertThat(ofType(s.tick(t), Request.class)).as("at %d", t - T).isEmpty();
    }
  }

  @Test
  void requestedRecordsGoAgainAsRecordsNotAsAnOfferUntilAcked() throws ProtocolException {
    Feeds local = new Feeds(ME).write(X, 3);
    SyncSession s = opened(local);
    List<Message> served = s.receive(new Request(List.of(new Range(X, 1, 3))), T + 1,
        new ArrayList<>());
    assertThat(deltas(served)).hasSize(3);

    List<Message> later = new ArrayList<>();
    for (long t = T + 2; t <= T + 4 * CAP; t += MIN / 2) {
      later.addAll(s.tick(t));
    }
    assertThat(deltas(later)).as("resent while unacknowledged").isNotEmpty()
        .allMatch(r -> r.origin().equals(X));
    assertThat(ofType(later, Offer.class)).as("never offered again").isEmpty();
    s.receive(new Ack(VersionVector.of(X, 3)), T + 4 * CAP + 1, new ArrayList<>());
    for (long t = T + 4 * CAP + 2; t <= T + 20 * CAP; t += MIN / 2) {
      assertThat(s.tick(t)).as("at %d", t - T).noneMatch(m -> m instanceof Deltas
          || m instanceof Offer);
    }
  }

  @Test
  void overALossyLinkOfferedRecordsArriveEvenWhenEveryAnswerIsLost() throws ProtocolException {
    // A holds X's records (a third replica's) and offers them; B's request and A's answer to it
    // are answers, all lost: only B asking again and A resending on its own clock get through.
    Feeds aLocal = new Feeds(ME).write(X, 4);
    Feeds bLocal = new Feeds(PEER);
    Pair link = answersLost(aLocal, bLocal, LOSSY);

    link.run(60 * CAP);

    assertThat(bLocal.vector().get(X)).isEqualTo(4);
  }

  @Test
  void aRecordThePeerWroteAcknowledgesWhatItDependsOn() throws ProtocolException {
    Feeds local = new Feeds(ME).write(ME, 3);
    SyncSession s = new SyncSession(local, LOSSY.withInteractive(false), 1);
    s.start(T);
    s.receive(new Hello(Message.VERSION, PEER, false, true), T, new ArrayList<>());
    List<Message> pushed = s.receive(new Summary(VersionVector.empty()), T, new ArrayList<>());
    assertThat(deltas(pushed)).hasSize(3);
    // Our records' ack was lost, but the peer wrote a record after holding them.
    DeltaRecord theirs = new DeltaRecord(PEER, 1, VersionVector.of(ME, 3),
        new Hlc(T + 1, 0, PEER), "o", new byte[] {1});
    List<DeltaRecord> received = new ArrayList<>();
    s.receive(new Deltas(List.of(theirs)), T + 1, received);
    received.forEach(local::store);

    for (long t = T + 2; t <= T + 20 * CAP; t += MIN / 2) {
      assertThat(deltas(s.tick(t))).as("at %d", t - T).isEmpty();
    }
  }

  @Test
  void onceAcksAreKnownLostTheAckOfNewRecordsIsSaidAgainToo() throws ProtocolException {
    // Before, the ack of new records went once; lost, it was said again only once the peer had
    // resent them and a resend had got through (part 4, world (a), seed 10: 8,514 of 33,845
    // record copies went to a peer that held them from this very sender).
    Feeds local = new Feeds(ME);
    Feeds peer = new Feeds(PEER).write(PEER, 2);
    SyncSession s = echoOn(local, peer);
    long window = SyncSession.ackEchoMillis(LOSSY);
    // New records while the echo is on; no resend of them comes.
    receive(s, local, peer.read(PEER, 2, 1), T + window - MIN);
    List<Long> said = new ArrayList<>();
    for (long t = T + window + MIN; t < T + window + MIN + 3 * CAP; t += MIN / 2) {
      for (Ack a : ofType(s.tick(t), Ack.class)) {
        assertThat(a.vector().get(PEER)).isEqualTo(2);
        said.add(t);
      }
    }
    assertThat(said).as("every four shortest delays").hasSizeBetween(
        (int) (3 * CAP / ECHO_EVERY) - 1, (int) (3 * CAP / ECHO_EVERY) + 1);
  }

  @Test
  void whileNoAckIsKnownLostTheAckOfNewRecordsGoesOnce() throws ProtocolException {
    Feeds local = new Feeds(ME);
    SyncSession s = opened(local, LOSSY.withInteractive(false));
    Feeds peer = new Feeds(PEER).write(PEER, 2);
    receive(s, local, peer.read(PEER, 1, 2), T + 1);

    for (long t = T + 2; t <= T + 2 * SyncSession.ackEchoMillis(LOSSY); t += MIN / 2) {
      assertThat(ofType(s.tick(t), Ack.class)).as("at %d", t - T).isEmpty();
    }
  }

  @Test
  void theAckOfNewRecordsIsSaidAgainOnlyForTheEchoWindowAfterTheLast() throws ProtocolException {
    long window = SyncSession.ackEchoMillis(LOSSY);
    Feeds local = new Feeds(ME);
    Feeds peer = new Feeds(PEER).write(PEER, 2);
    SyncSession s = echoOn(local, peer);
    receive(s, local, peer.read(PEER, 2, 1), T + window / 2);

    assertThat(ofType(s.tick(T + window / 2 + window - MIN), Ack.class)).hasSize(1);
    for (long t = T + window / 2 + window + 1; t <= T + 3 * window; t += MIN) {
      assertThat(ofType(s.tick(t), Ack.class)).as("at %d", t - T).isEmpty();
    }
  }

  /**
   * A batch session over a lossy link with PEER whose first record came twice by {@code T + 2}:
   * our ack of it was lost, so the echo is on.
   */
  private static SyncSession echoOn(Feeds local, Feeds peer) throws ProtocolException {
    SyncSession s = opened(local, LOSSY.withInteractive(false));
    receive(s, local, peer.read(PEER, 1, 1), T + 1);
    receive(s, local, peer.read(PEER, 1, 1), T + 2);
    return s;
  }

  /** Hands {@code records} to {@code s} at {@code now} and stores the new ones, acks sent. */
  private static void receive(SyncSession s, Feeds local, List<DeltaRecord> records, long now)
      throws ProtocolException {
    List<DeltaRecord> received = new ArrayList<>();
    s.receive(new Deltas(records), now, received);
    received.forEach(local::store);
    s.afterChange(now);
  }

  /** An interactive session over a lossy link with PEER, both summaries exchanged. */
  private static SyncSession opened(Feeds local) throws ProtocolException {
    return opened(local, LOSSY);
  }

  private static SyncSession opened(Feeds local, SessionConfig config) throws ProtocolException {
    SyncSession s = new SyncSession(local, config, 1);
    s.start(T);
    s.receive(new Hello(Message.VERSION, PEER, true, true), T, new ArrayList<>());
    s.receive(new Summary(VersionVector.empty()), T, new ArrayList<>());
    return s;
  }

  private static Pair answersLost(Feeds aLocal, Feeds bLocal, SessionConfig config) {
    Pair p = new Pair(aLocal, bLocal, config);
    p.answersLost = true;
    return p;
  }
}
