package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.GCounter;
import io.tandem.crdt.Hlc;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.spi.PeerId;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The causal buffer's bound and what it asks for again: it evicts what is furthest from being
 * applied, never what can apply now, and names the evicted records to ask their sender for once
 * the feed needs them, once per progress.
 */
class CausalBufferTest {

  private static final ReplicaId X = ReplicaId.of(0x10);
  private static final ReplicaId Y = ReplicaId.of(0x11);
  private static final Sessions.Link P = new Sessions.Link(null, new PeerId("p"));
  private static final Sessions.Link Q = new Sessions.Link(null, new PeerId("q"));

  @Test
  void evictsTheRecordFurthestAheadOfItsFeed() {
    CausalBuffer b = new CausalBuffer(3, Long.MAX_VALUE);
    VersionVector applied = VersionVector.of(X, 1).with(Y, 1);
    add(b, record(X, 3), applied, P); // waits for X#2
    add(b, record(X, 4), applied, P);
    add(b, record(Y, 9), applied, Q); // seven ahead of Y's next

    add(b, record(X, 5), applied, P);

    assertThat(b.size()).isEqualTo(3);
    assertThat(b.evictions()).isEqualTo(1);
    assertThat(b.holds(record(Y, 9), applied)).isFalse();
    assertThat(b.holds(record(X, 5), applied)).isTrue();
  }

  @Test
  void neverEvictsARecordThatCanApplyNow() {
    CausalBuffer b = new CausalBuffer(2, Long.MAX_VALUE);
    VersionVector applied = VersionVector.of(X, 1).with(Y, 1);
    add(b, withDeps(record(X, 2), VersionVector.of(Y, 5)), applied, P); // next, waits for Y#5
    add(b, withDeps(record(Y, 2), VersionVector.of(X, 3)), applied, Q); // next, waits for X#3

    // Its feed's next, nothing missing: it stays, though every record is as near.
    add(b, record(ReplicaId.of(0x12), 1), applied, P);

    assertThat(b.holds(record(ReplicaId.of(0x12), 1), applied)).isTrue();
    assertThat(b.size()).isEqualTo(2);
  }

  @Test
  void namesEvictedRecordsForTheirSenderOnceTheFeedNeedsThem() {
    CausalBuffer b = new CausalBuffer(2, Long.MAX_VALUE);
    VersionVector applied = VersionVector.of(X, 1).with(Y, 1);
    add(b, withDeps(record(X, 2), VersionVector.of(Y, 2)), applied, P); // waits for Y#2
    add(b, record(X, 3), applied, P);
    add(b, record(X, 4), applied, P); // evicts X#4

    assertThat(b.due(applied)).as("X#2 is held: what it waits for is not X's").isEmpty();
    b.drain(VersionVector.of(X, 1).with(Y, 2), r -> false); // Y#2 came: X#2, X#3 applied
    VersionVector now = VersionVector.of(X, 3).with(Y, 2);
    assertThat(b.due(now)).containsExactly(new CausalBuffer.Evicted(X, 4, 4, P));
    assertThat(b.due(now)).as("asked once").isEmpty();
  }

  /** The sender of later records holds the feed up to them: a gap before them is asked too. */
  @Test
  void aMissingRecordBeforeEvictedOnesIsAskedOfTheirSender() {
    CausalBuffer b = new CausalBuffer(1, Long.MAX_VALUE);
    VersionVector applied = VersionVector.of(X, 1);
    add(b, record(X, 3), applied, P);
    add(b, record(X, 5), applied, P); // evicts X#5; X#2 never came

    assertThat(b.due(applied)).containsExactly(new CausalBuffer.Evicted(X, 2, 5, P));
  }

  @Test
  void evictedRecordsOfEachSenderAreAskedOfThatSender() {
    CausalBuffer b = new CausalBuffer(1, Long.MAX_VALUE);
    VersionVector applied = VersionVector.of(X, 1);
    add(b, record(X, 3), applied, P);
    add(b, record(X, 4), applied, P);
    add(b, record(X, 6), applied, Q);

    b.drain(VersionVector.of(X, 3), r -> false);
    assertThat(b.due(VersionVector.of(X, 3))).containsExactlyInAnyOrder(
        new CausalBuffer.Evicted(X, 4, 4, P), new CausalBuffer.Evicted(X, 4, 6, Q));
  }

  @Test
  void aRecordAskedForThatIsMissingAgainIsAskedForOnlyAfterProgress() {
    CausalBuffer b = new CausalBuffer(1, Long.MAX_VALUE);
    VersionVector applied = VersionVector.of(X, 1).with(Y, 1);
    add(b, record(X, 3), applied, P);
    add(b, record(X, 4), applied, P); // evicted
    assertThat(b.due(applied)).containsExactly(new CausalBuffer.Evicted(X, 2, 4, P));

    // What came was evicted again and X#2 is still missing: nothing was applied meanwhile.
    add(b, record(X, 4), applied, P);
    assertThat(b.due(applied)).isEmpty();

    // Something was applied: worth asking again.
    assertThat(b.due(applied.with(Y, 2))).containsExactly(new CausalBuffer.Evicted(X, 2, 4, P));
  }

  @Test
  void recordsTheStoreFailedAreAskedOfTheirSenderAsEvictedOnesAre() {
    CausalBuffer b = new CausalBuffer(10, Long.MAX_VALUE);
    VersionVector applied = VersionVector.of(X, 1);
    add(b, record(X, 2), applied, P);
    add(b, record(X, 3), applied, P);
    List<CausalBuffer.Received> drained = b.drain(applied, r -> false);

    drained.forEach(b::lost); // the store failed their batch: not applied

    assertThat(b.due(applied)).containsExactly(new CausalBuffer.Evicted(X, 2, 3, P));
  }

  @Test
  void rangesTheFeedCaughtUpWithAreForgotten() {
    CausalBuffer b = new CausalBuffer(1, Long.MAX_VALUE);
    VersionVector applied = VersionVector.of(X, 1);
    add(b, record(X, 3), applied, P);
    add(b, record(X, 4), applied, P);

    assertThat(b.due(VersionVector.of(X, 9))).isEmpty();
    assertThat(b.due(VersionVector.of(X, 3))).isEmpty();
  }

  private static void add(CausalBuffer b, DeltaRecord r, VersionVector applied,
      Sessions.Link from) {
    b.add(r, GCounter.empty(), applied, from);
  }

  private static DeltaRecord record(ReplicaId origin, long seq) {
    return withDeps(new DeltaRecord(origin, seq, VersionVector.empty(), new Hlc(seq, 0, origin),
        "o", new byte[4]), VersionVector.empty());
  }

  private static DeltaRecord withDeps(DeltaRecord r, VersionVector deps) {
    return new DeltaRecord(r.origin(), r.seq(), deps, r.hlc(), r.object(), r.payload());
  }
}
