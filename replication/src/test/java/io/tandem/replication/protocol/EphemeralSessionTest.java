package io.tandem.replication.protocol;

import static io.tandem.replication.protocol.SyncSessionTest.ME;
import static io.tandem.replication.protocol.SyncSessionTest.PEER;
import static io.tandem.replication.protocol.SyncSessionTest.T;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.protocol.Message.Ephemeral;
import io.tandem.replication.protocol.Message.Hello;
import io.tandem.replication.protocol.ProtocolException.Reason;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A session's side of the ephemeral channel: what a peer publishes is handed to the replica once,
 * in seq order, and changes nothing the session sends or believes.
 */
class EphemeralSessionTest {

  private static final SessionConfig ORDERED = SessionConfig.DEFAULT.withOrdered(true);
  private static final SessionConfig UNORDERED = SessionConfig.DEFAULT.withOrdered(false);

  /** The replica's side: the ephemeral messages its sessions hand it. */
  private static final class Listening extends SyncSessionTest.Feeds {
    final List<Long> told = new ArrayList<>();
    final List<ReplicaId> from = new ArrayList<>();

    Listening() {
      super(ME);
    }

    @Override
    public void ephemeral(ReplicaId peer, Ephemeral e) {
      told.add(e.seq());
      from.add(peer);
    }
  }

  @Test
  void ephemeralIsHandedToTheReplicaWithItsPeerAndAnsweredByNothing() throws Exception {
    Listening local = new Listening();
    local.write(ME, 2);
    SyncSession s = open(local, ORDERED);

    List<Message> out = s.receive(new Ephemeral(7, "typing", new byte[] {1}), T + 2,
        new ArrayList<>());

    assertThat(out).isEmpty();
    assertThat(local.told).containsExactly(7L);
    assertThat(local.from).containsExactly(PEER);
    assertThat(s.peerVector()).as("an ephemeral says nothing of what the peer holds")
        .isEqualTo(VersionVector.empty());
    assertThat(s.tick(T + 3)).as("nor is it waited for or resent").isEmpty();
  }

  /** Any arrival order, with copies: what is handed on is a rising run, each at most once. */
  @Test
  void copiesAndOvertakenMessagesAreNeverHandedOn() {
    qt().withExamples(200).forAll(lists().of(longs().between(1, 40)).ofSizeBetween(0, 60))
        .checkAssert(arrivals -> {
          Listening local = new Listening();
          try {
            SyncSession s = open(local, UNORDERED);
            for (long seq : arrivals) {
              s.receive(new Ephemeral(seq, "p", new byte[0]), T + 3, new ArrayList<>());
            }
          } catch (ProtocolException e) {
            throw new AssertionError(e);
          }
          List<Long> expected = new ArrayList<>();
          long last = 0;
          for (long seq : arrivals) {
            if (seq > last) {
              expected.add(seq);
              last = seq;
            }
          }
          assertThat(local.told).isEqualTo(expected);
        });
  }

  @Test
  void ephemeralBeforeTheHelloBreaksAnOrderedSessionAndIsDroppedOnAnUnorderedOne()
      throws ProtocolException {
    Listening ordered = new Listening();
    SyncSession s = new SyncSession(ordered, ORDERED, 1);
    s.start(T);
    ProtocolException e = catchThrowableOfType(ProtocolException.class,
        () -> s.receive(new Ephemeral(1, "p", new byte[0]), T + 1, new ArrayList<>()));
    assertThat(e.reason()).isEqualTo(Reason.VIOLATION);

    Listening unordered = new Listening();
    SyncSession u = new SyncSession(unordered, UNORDERED, 1);
    u.start(T);
    assertThat(u.receive(new Ephemeral(1, "p", new byte[0]), T + 1, new ArrayList<>()))
        .isEmpty();
    assertThat(unordered.told).isEmpty();
  }

  private static SyncSession open(Listening local, SessionConfig config)
      throws ProtocolException {
    SyncSession s = new SyncSession(local, config, 1);
    s.start(T);
    s.receive(new Hello(Message.VERSION, PEER, false, true), T + 1, new ArrayList<>());
    return s;
  }
}
