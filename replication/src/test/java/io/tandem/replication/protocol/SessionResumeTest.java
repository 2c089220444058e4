package io.tandem.replication.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.protocol.Message.Ack;
import io.tandem.replication.protocol.Message.Hello;
import io.tandem.replication.protocol.Message.Summary;
import io.tandem.replication.protocol.SyncSessionTest.Feeds;
import io.tandem.replication.protocol.SyncSessionTest.Pair;
import io.tandem.replication.protocol.SyncSessionTest.Sent;
import io.tandem.replication.spi.SyncBase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Session start against a saved base: two sessions meet, end, and meet again on the same
 * replicas, which kept what each told and heard. Messages take a millisecond each way, so one
 * round trip is two milliseconds.
 */
class SessionResumeTest {

  private static final ReplicaId A = ReplicaId.of(0xa);
  private static final ReplicaId B = ReplicaId.of(0xb);
  private static final long T = 1_700_000_000_000L;
  private static final SessionConfig CONFIG = SessionConfig.DEFAULT.withBackoff(100, 1_600);

  /** A hundred feeds, so that a whole vector would cost over a kilobyte. */
  private static Feeds manyFeeds(ReplicaId self) {
    Feeds f = new Feeds(self);
    for (int i = 1; i <= 100; i++) {
      f.write(ReplicaId.of(0x1000 + i), 2);
    }
    return f;
  }

  @Test
  void reconnectWithNothingChangedIsTwoHellosAndTwoHashesInOneRoundTrip()
      throws ProtocolException {
    Feeds a = manyFeeds(A);
    Feeds b = manyFeeds(B);
    Pair first = new Pair(a, b, CONFIG);
    first.run(50);
    assertThat(bytes(first.log)).as("first meeting: whole vectors").isGreaterThan(1_000);

    Pair again = new Pair(a, b, CONFIG);
    again.run(50);

    assertThat(again.log).extracting(s -> s.message().getClass().getSimpleName())
        .containsExactlyInAnyOrder("Hello", "Hello", "Summary", "Summary");
    assertThat(bytes(again.log)).isLessThanOrEqualTo(48);
    assertThat(again.log).allSatisfy(s -> assertThat(s.at()).isLessThanOrEqualTo(T + 1));
    assertThat(again.a.peerVector()).isEqualTo(b.vector());
    assertThat(again.b.peerVector()).isEqualTo(a.vector());
  }

  @Test
  void reconnectSendsOnlyTheChangedEntriesNamedByPosition() throws ProtocolException {
    Feeds a = manyFeeds(A);
    Feeds b = manyFeeds(B);
    new Pair(a, b, CONFIG).run(50);
    for (int i : new int[] {3, 40, 41, 99}) {
      b.write(ReplicaId.of(0x1000 + i), 1);
    }
    b.write(ReplicaId.of(0x9999), 1); // an origin A has never heard of: spelled in full

    Pair again = new Pair(a, b, CONFIG);
    again.run(200);

    Summary fromB = summaries(again.log, again.b).get(0);
    assertThat(fromB.isWhole()).isFalse();
    assertThat(fromB.indexed().size()).isEqualTo(4);
    assertThat(fromB.vector()).isEqualTo(VersionVector.of(ReplicaId.of(0x9999), 1));
    assertThat(a.vector()).isEqualTo(b.vector());
    // Hellos, two summaries, the five records and one ack naming four origins by position.
    long handshake = again.log.stream().filter(s -> !(s.message() instanceof Message.Deltas))
        .mapToLong(s -> MessageCodec.encode(s.message()).remaining()).sum();
    assertThat(handshake).isLessThanOrEqualTo(64 + 8 * 5 + 8); // plus the spelled id
    assertThat(again.log).filteredOn(s -> s.message() instanceof Ack).hasSize(1);
  }

  @Test
  void aBaseThePeerDoesNotHoldFallsBackToTheWholeSummaryAndConverges()
      throws ProtocolException {
    Feeds a = manyFeeds(A);
    Feeds b = manyFeeds(B);
    new Pair(a, b, CONFIG).run(50);
    // B lost what it heard from A (a crash before saving, say) but still knows something.
    SyncBase kept = b.bases.get(A);
    b.bases.put(A, kept.withHeard(VersionVector.of(ReplicaId.of(0x1001), 1)));
    a.write(ReplicaId.of(0x1005), 3);

    Pair again = new Pair(a, b, CONFIG);
    again.run(200);

    List<Summary> fromB = summaries(again.log, again.b);
    assertThat(fromB).anySatisfy(s -> assertThat(s.flags()).isEqualTo(Summary.WANT_WHOLE));
    assertThat(summaries(again.log, again.a)).anySatisfy(s -> assertThat(s.isWhole()).isTrue());
    assertThat(b.vector()).isEqualTo(a.vector());
    assertThat(again.b.peerVector()).isEqualTo(a.vector());
    // Once whole, the base is whole again: the next reconnect is back to hashes.
    Pair third = new Pair(a, b, CONFIG);
    third.run(50);
    assertThat(bytes(third.log)).isLessThanOrEqualTo(48);
  }

  @Test
  void aBaseFromAnotherReplicaHistoryIsNotUsedForAPatch() throws ProtocolException {
    Feeds a = manyFeeds(A);
    Feeds b = manyFeeds(B);
    // A saved a base claiming more than it holds (a store restored from an older backup):
    // a patch against it could not be applied, so A speaks whole.
    a.bases.put(B, new SyncBase(a.vector().with(ReplicaId.of(0x1001), 9), VersionVector.empty()));
    Pair p = new Pair(a, b, CONFIG);
    p.run(50);
    assertThat(summaries(p.log, p.a)).first().satisfies(s -> assertThat(s.isWhole()).isTrue());
    assertThat(p.b.peerVector()).isEqualTo(a.vector());
  }

  /**
   * If B believes A holds records it does not (what a hash collision could cause), B never
   * sends them; A sees B holds records it lacks and sends none, and after a stall tells B its
   * whole vector, replacing B's belief. The records then flow: a collision costs time only.
   */
  @Test
  void aPeerThatWronglyBelievesWeHoldItsRecordsIsCorrectedAfterAStall()
      throws ProtocolException {
    Feeds a = new Feeds(A);
    Feeds b = new Feeds(B).write(B, 4);
    SyncSession sa = new SyncSession(a, CONFIG, 1);
    SyncSession sb = new SyncSession(b, CONFIG, 2);
    long now = T;
    List<Message> toB = new ArrayList<>(sa.start(now));
    List<Message> toA = new ArrayList<>(sb.start(now));
    // B takes A's hello, then a forged ack as if A held all of B's feed, then A's summary.
    List<DeltaRecord> ignored = new ArrayList<>();
    List<Message> fromB = new ArrayList<>(sb.receive(toB.get(0), now, ignored));
    sb.receive(new Ack(VersionVector.of(B, 4)), now, ignored);
    List<Message> fromA = new ArrayList<>(sa.receive(toA.get(0), now, ignored));
    fromB.addAll(sb.receive(summaries(fromA).get(0), now, ignored));
    assertThat(fromB).noneMatch(m -> m instanceof Message.Deltas);
    for (Message m : fromB) {
      sa.receive(m, now, ignored);
    }
    assertThat(sa.pendingIn()).isEqualTo(4);

    Summary reset = null;
    for (long t = now; t < now + 3 * CONFIG.maxBackoffMillis() && reset == null; t += 10) {
      List<Summary> s = summaries(sa.tick(t));
      reset = s.isEmpty() ? null : s.get(0);
    }
    assertThat(reset).isNotNull();
    assertThat(reset.flags()).isEqualTo(Summary.RESET);
    List<DeltaRecord> got = new ArrayList<>();
    for (Message m : sb.receive(reset, now, ignored)) {
      sa.receive(m, now, got);
    }
    assertThat(got).extracting(DeltaRecord::seq).containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void anOldVersionHelloIsRefused() {
    SyncSession s = new SyncSession(new Feeds(A), CONFIG, 1);
    s.start(T);
    assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(ProtocolException.class,
        () -> s.receive(new Hello(1, B, false, false), T, new ArrayList<>())).reason())
        .isEqualTo(ProtocolException.Reason.UNSUPPORTED_VERSION);
  }

  private static long bytes(List<Sent> log) {
    return log.stream().mapToLong(s -> MessageCodec.encode(s.message()).remaining()).sum();
  }

  private static List<Summary> summaries(List<Sent> log, SyncSession from) {
    return summaries(log.stream().filter(s -> s.from() == from).map(Sent::message).toList());
  }

  private static List<Summary> summaries(List<Message> out) {
    return out.stream().filter(Summary.class::isInstance).map(Summary.class::cast).toList();
  }
}
