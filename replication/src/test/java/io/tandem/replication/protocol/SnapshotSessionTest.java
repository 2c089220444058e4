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
import io.tandem.replication.protocol.Message.SnapshotChunk;
import io.tandem.replication.protocol.Message.SnapshotFetch;
import io.tandem.replication.protocol.Message.SnapshotOffer;
import io.tandem.replication.protocol.Message.Summary;
import io.tandem.replication.protocol.ProtocolException.Reason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The serving side of a snapshot transfer, in one session without I/O: a peer below the
 * snapshot is offered it once (again only after a silence), fetches are answered with chunks, a
 * fetch that is no chunk closes the session, and the tail follows once the peer holds the
 * snapshot.
 */
class SnapshotSessionTest {

  private static final ReplicaId ME = ReplicaId.of(0x1);
  private static final ReplicaId PEER = ReplicaId.of(0x2);
  private static final long MIN = 100;
  private static final long T = 1_700_000_000_000L;
  private static final SessionConfig CONFIG = SessionConfig.DEFAULT.withBackoff(MIN, 1_600)
      .withBatch(3, 1 << 20, 8).withOrdered(true);
  private static final byte[] SNAPSHOT = new byte[250];
  private static final SnapshotOffer OFFER = SnapshotWireTest.offerFor(SNAPSHOT, 100);

  /** This replica: its own feed 1..7, of which 1..5 are compacted into the snapshot. */
  private static final class Compacted implements SyncSession.Local {
    final List<Long> served = new ArrayList<>();

    @Override
    public ReplicaId id() {
      return ME;
    }

    @Override
    public VersionVector vector() {
      return VersionVector.of(ME, 7);
    }

    @Override
    public List<DeltaRecord> read(ReplicaId origin, long fromSeq, int max) {
      List<DeltaRecord> out = new ArrayList<>();
      for (long seq = fromSeq; seq <= 7 && out.size() < max; seq++) {
        if (seq <= 5) {
          return List.of(); // compacted away
        }
        out.add(new DeltaRecord(ME, seq, VersionVector.empty(), new Hlc(T + seq, 0, ME), "o",
            new byte[] {(byte) seq}));
      }
      return out;
    }

    @Override
    public VersionVector snapshotVector() {
      return VersionVector.of(ME, 5);
    }

    @Override
    public SnapshotOffer snapshotOffer() {
      return OFFER;
    }

    @Override
    public byte[] snapshotChunk(byte[] hash, long offset, int max) {
      served.add(offset);
      return Arrays.equals(hash, OFFER.hash())
          ? Arrays.copyOfRange(SNAPSHOT, (int) offset, (int) offset + max) : null;
    }
  }

  private static List<Message> receive(SyncSession s, Message m, long at)
      throws ProtocolException {
    return s.receive(m, at, new ArrayList<>());
  }

  private static SyncSession opened(Compacted local, VersionVector peerHas, List<Message> out)
      throws ProtocolException {
    SyncSession s = new SyncSession(local, CONFIG, 1);
    s.start(T);
    receive(s, new Hello(Message.VERSION, PEER, false, true), T);
    out.addAll(receive(s, new Summary(peerHas), T));
    return s;
  }

  @Test
  void peerBelowTheSnapshotIsOfferedItOnceAndGetsNoDeltasItCannotApply()
      throws ProtocolException {
    List<Message> out = new ArrayList<>();
    SyncSession s = opened(new Compacted(), VersionVector.empty(), out);
    assertThat(out).containsExactly(OFFER);
    assertThat(s.afterChange(T + 1)).isEmpty();
    assertThat(s.tick(T + MIN - 1)).as("not again before the backoff").isEmpty();
    assertThat(s.tick(T + MIN)).as("again after a silence").containsExactly(OFFER);
  }

  @Test
  void fetchesAreAnsweredWithChunksAndTheTailFollowsTheSnapshot() throws ProtocolException {
    Compacted local = new Compacted();
    SyncSession s = opened(local, VersionVector.empty(), new ArrayList<>());
    List<Message> chunk = receive(s, new SnapshotFetch(OFFER.hash(), 200), T + 1);
    assertThat(chunk).containsExactly(new SnapshotChunk(OFFER.hash(), 200,
        Arrays.copyOfRange(SNAPSHOT, 200, 250)));
    assertThat(s.tick(T + 1 + MIN - 1)).as("a fetch resets the silence").isEmpty();

    // The peer installed the snapshot and says so: the records after it go at once.
    List<Message> tail = receive(s, new Ack(VersionVector.of(ME, 5)), T + 2);
    assertThat(tail).hasSize(1);
    assertThat(((Deltas) tail.get(0)).records()).extracting(DeltaRecord::seq)
        .containsExactly(6L, 7L);
    assertThat(s.tick(T + 10 * MIN)).as("no offer once the peer holds it")
        .noneMatch(m -> m instanceof SnapshotOffer);
  }

  @Test
  void fetchOfAnotherSnapshotIsAnsweredWithTheCurrentOffer() throws ProtocolException {
    SyncSession s = opened(new Compacted(), VersionVector.empty(), new ArrayList<>());
    assertThat(receive(s, new SnapshotFetch(new byte[32], 0), T + 1)).containsExactly(OFFER);
  }

  @Test
  void fetchThatIsNoChunkOfTheSnapshotClosesTheSession() throws ProtocolException {
    SyncSession s = opened(new Compacted(), VersionVector.empty(), new ArrayList<>());
    for (long offset : new long[] {250, 1_000, 50}) {
      assertThatThrownBy(() -> receive(s, new SnapshotFetch(OFFER.hash(), offset), T + 1))
          .isInstanceOfSatisfying(ProtocolException.class,
              e -> assertThat(e.reason()).isEqualTo(Reason.VIOLATION));
    }
  }

  @Test
  void peerAtOrAboveTheSnapshotIsNeverOffered() throws ProtocolException {
    List<Message> out = new ArrayList<>();
    SyncSession s = opened(new Compacted(), VersionVector.of(ME, 5), out);
    assertThat(out).noneMatch(m -> m instanceof SnapshotOffer);
    assertThat(((Deltas) out.get(0)).records()).extracting(DeltaRecord::seq)
        .containsExactly(6L, 7L);
    assertThat(s.tick(T + 10 * MIN)).noneMatch(m -> m instanceof SnapshotOffer);
  }
}
