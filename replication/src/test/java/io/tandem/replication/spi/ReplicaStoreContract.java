package io.tandem.replication.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.crdt.Hlc;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ReplicaStore} must do, as its Javadoc states it. A subclass opens a new,
 * empty store and reopens a closed one on the same data, as a restarted process would; the tests
 * use nothing but the {@code ReplicaStore} interface.
 *
 * <p>Shared with the adapters through the test-jar: {@code InMemoryReplicaStoreTest} runs it
 * here, {@code H2ReplicaStoreTest} on a real file. The purge tests are in {@link PurgeContract}.
 */
public abstract class ReplicaStoreContract implements PurgeContract {

  /** A new, empty store; called at most once per test. */
  protected abstract ReplicaStore open();

  /** A fresh handle on the data of {@code closed}, which the test has closed. */
  protected abstract ReplicaStore reopen(ReplicaStore closed);

  protected static final ReplicaId SELF = ReplicaId.of(0x5e1f);
  protected static final ReplicaId OTHER = ReplicaId.of(0x07e4);
  protected static final ReplicaId X = ReplicaId.of(0xaaaa);
  protected static final ReplicaId Y = ReplicaId.of(-2); // sorts last, unsigned

  private final List<ReplicaStore> handles = new ArrayList<>();

  @AfterEach
  void closeStores() {
    handles.forEach(ReplicaStore::close);
  }

  // ---- identity ----

  @Test
  void newStoreBelongsToNoReplica() {
    ReplicaStore store = track(open());
    assertThat(store.replicaId()).isEmpty();
    assertThat(store.vector()).isEqualTo(VersionVector.empty());
    assertThat(store.snapshot().vector()).isEqualTo(VersionVector.empty());
    assertThat(store.snapshot().objects()).isEmpty();
    assertThat(store.peerVectors()).isEmpty();
    assertThat(store.readFeed(X, 1, 10)).isEmpty();
  }

  @Test
  void storeBindsOnceAndRefusesAnyOtherId() {
    ReplicaStore store = track(open());
    store.bind(SELF);
    store.bind(SELF); // again, the same: nothing happens

    assertThatThrownBy(() -> store.bind(OTHER)).isInstanceOf(IllegalStateException.class);
    assertThat(store.replicaId()).contains(SELF);

    ReplicaStore again = reopenTracked(store);
    assertThat(again.replicaId()).contains(SELF);
    assertThatThrownBy(() -> again.bind(OTHER)).isInstanceOf(IllegalStateException.class);
  }

  /**
   * A replica that finds its id reused moves: the store retires the old id for good and belongs
   * to the next one, keeping the old feed as a third replica's; both survive a reopen.
   */
  @Test
  void retiringMovesTheStoreToTheNextIdAndKeepsTheOldIdForGood() {
    ReplicaStore store = bound();
    store.append(feed(SELF, 1, 2));
    assertThat(store.retiredIds()).isEmpty();

    store.retire(SELF, OTHER);

    assertThat(store.replicaId()).contains(OTHER);
    assertThat(store.retiredIds()).containsExactly(SELF);
    assertThat(store.readFeed(SELF, 1, 10)).isEqualTo(feed(SELF, 1, 2));
    store.append(List.of(record(SELF, 3), record(OTHER, 1)));
    assertThatThrownBy(() -> store.bind(SELF)).isInstanceOf(IllegalStateException.class);

    ReplicaStore again = reopenTracked(store);
    assertThat(again.replicaId()).contains(OTHER);
    assertThat(again.retiredIds()).containsExactly(SELF);
    assertThat(again.vector()).isEqualTo(VersionVector.of(SELF, 3).with(OTHER, 1));
    assertThatThrownBy(() -> again.bind(SELF)).isInstanceOf(IllegalStateException.class);

    again.retire(OTHER, Y);
    assertThat(reopenTracked(again).retiredIds()).containsExactlyInAnyOrder(SELF, OTHER);
  }

  @Test
  void retiringRefusesAnotherIdThanTheBoundOneOrANextThatIsRetiredOrHeld() {
    ReplicaStore store = track(open());
    assertThatThrownBy(() -> store.retire(SELF, OTHER)).as("bound to none")
        .isInstanceOf(IllegalStateException.class);
    store.bind(SELF);
    store.append(feed(X, 1, 2));
    assertThatThrownBy(() -> store.retire(OTHER, Y)).as("not the bound id")
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.retire(SELF, X)).as("a feed held here")
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.retire(SELF, SELF)).as("itself")
        .isInstanceOf(IllegalStateException.class);
    store.retire(SELF, OTHER);
    assertThatThrownBy(() -> store.retire(OTHER, SELF)).as("retired")
        .isInstanceOf(IllegalStateException.class);

    assertThat(store.replicaId()).contains(OTHER);
    assertThat(store.retiredIds()).containsExactly(SELF);
  }

  // ---- the log ----

  @Test
  void appendedRecordsReadBackGapFreeInOrderUpToMax() {
    ReplicaStore store = bound();
    List<DeltaRecord> xs = feed(X, 1, 10);
    store.append(xs.subList(0, 4));
    store.append(List.of(record(Y, 1)));
    store.append(xs.subList(4, 10));

    assertThat(store.readFeed(X, 1, 100)).containsExactlyElementsOf(xs);
    assertThat(store.readFeed(X, 4, 3)).containsExactlyElementsOf(xs.subList(3, 6));
    assertThat(store.readFeed(X, 10, 5)).containsExactly(xs.get(9));
    assertThat(store.readFeed(X, 11, 5)).isEmpty();
    assertThat(store.readFeed(X, 1, 0)).isEmpty();
    assertThat(store.readFeed(Y, 1, 5)).containsExactly(record(Y, 1));
    assertThat(store.readFeed(OTHER, 1, 5)).isEmpty();
  }

  @Test
  void recordsKeepEveryField() {
    ReplicaStore store = bound();
    DeltaRecord odd = new DeltaRecord(Y, 1, VersionVector.of(X, 7).with(SELF, 2),
        new Hlc(Long.MAX_VALUE / 4, Integer.MAX_VALUE, Y), "日本語 📝 " + "é".repeat(100),
        new byte[] {0, -1, 127, -128, 0});
    DeltaRecord empty = new DeltaRecord(Y, 2, VersionVector.empty(), new Hlc(0, 0, Y), "e",
        new byte[0]);
    store.append(List.of(odd, empty));

    assertThat(store.readFeed(Y, 1, 2)).containsExactly(odd, empty);
    assertThat(reopenTracked(store).readFeed(Y, 1, 2)).containsExactly(odd, empty);
  }

  @Test
  void vectorHoldsTheHighestSequenceOfEveryFeed() {
    ReplicaStore store = bound();
    store.append(feed(X, 1, 3));
    store.append(List.of(record(SELF, 1), record(Y, 1), record(X, 4), record(SELF, 2)));

    assertThat(store.vector()).isEqualTo(VersionVector.of(X, 4).with(Y, 1).with(SELF, 2));
  }

  @Test
  void recordThatLeavesAGapIsRefusedAndNothingOfTheCallIsStored() {
    ReplicaStore store = bound();
    store.append(feed(X, 1, 2));
    VersionVector before = store.vector();

    List<List<DeltaRecord>> gapped = List.of(
        List.of(record(X, 4)),
        List.of(record(Y, 1), record(X, 3), record(X, 5)),
        List.of(record(Y, 1), record(Y, 3)),
        List.of(record(Y, 2), record(Y, 1)),
        List.of(record(OTHER, 1), record(OTHER, 2), record(X, 3), record(Y, 2)));
    for (List<DeltaRecord> call : gapped) {
      assertThatThrownBy(() -> store.append(call)).as("%s", call)
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(store.vector()).as("after %s", call).isEqualTo(before);
      assertThat(store.readFeed(X, 1, 10)).isEqualTo(feed(X, 1, 2));
      assertThat(store.readFeed(Y, 1, 10)).isEmpty();
      assertThat(store.readFeed(OTHER, 1, 10)).isEmpty();
    }
  }

  @Test
  void sameSequenceWithOtherContentIsRefused() {
    ReplicaStore store = bound();
    store.append(feed(X, 1, 3));
    DeltaRecord forged = new DeltaRecord(X, 2, VersionVector.empty(), new Hlc(1, 0, X), "o",
        new byte[] {9, 9});

    assertThatThrownBy(() -> store.append(List.of(forged)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.append(List.of(forged, record(X, 3), record(X, 4))))
        .isInstanceOf(IllegalArgumentException.class);

    assertThat(store.readFeed(X, 1, 10)).isEqualTo(feed(X, 1, 3));
    assertThat(store.vector()).isEqualTo(VersionVector.of(X, 3));
  }

  @Test
  void identicalReAppendIsANoOp() {
    ReplicaStore store = bound();
    store.append(feed(X, 1, 3));

    store.append(feed(X, 1, 3));
    store.append(List.of(record(X, 2)));

    assertThat(store.readFeed(X, 1, 10)).isEqualTo(feed(X, 1, 3));
    assertThat(store.vector()).isEqualTo(VersionVector.of(X, 3));
  }

  @Test
  void reAppendOverlappingTheEndStoresOnlyWhatIsNew() {
    ReplicaStore store = bound();
    store.append(feed(X, 1, 3));

    store.append(feed(X, 2, 5));

    assertThat(store.readFeed(X, 1, 10)).isEqualTo(feed(X, 1, 5));
    assertThat(store.vector()).isEqualTo(VersionVector.of(X, 5));
  }

  // ---- snapshot ----

  @Test
  void snapshotDropsTheRecordsItCoversAndSurvivesReopen() {
    ReplicaStore store = bound();
    store.append(feed(X, 1, 5));
    store.append(feed(Y, 1, 2));
    Map<String, byte[]> objects = new LinkedHashMap<>();
    objects.put("notes", new byte[] {1, 2, 3});
    objects.put("日本語", new byte[0]);
    Snapshot snapshot = new Snapshot(VersionVector.of(X, 3).with(Y, 2), objects);

    store.saveSnapshot(snapshot);

    Consumer<ReplicaStore> check = s -> {
      assertSameSnapshot(s.snapshot(), snapshot);
      assertThat(s.readFeed(X, 1, 10)).as("records the snapshot covers").isEmpty();
      assertThat(s.readFeed(X, 3, 10)).as("records the snapshot covers").isEmpty();
      assertThat(s.readFeed(X, 4, 10)).isEqualTo(feed(X, 4, 5));
      assertThat(s.readFeed(Y, 1, 10)).isEmpty();
      assertThat(s.vector()).as("the vector counts the snapshot")
          .isEqualTo(VersionVector.of(X, 5).with(Y, 2));
    };
    check.accept(store);
    ReplicaStore again = reopenTracked(store);
    check.accept(again);

    again.append(List.of(record(X, 6), record(Y, 3)));
    assertThat(again.readFeed(X, 4, 10)).isEqualTo(feed(X, 4, 6));
    assertThat(again.readFeed(Y, 3, 10)).containsExactly(record(Y, 3));
  }

  @Test
  void snapshotBeyondTheRecordsHeldIsRefused() {
    ReplicaStore store = bound();
    store.append(feed(X, 1, 2));

    assertThatThrownBy(() -> store.saveSnapshot(new Snapshot(VersionVector.of(X, 3), Map.of())))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.saveSnapshot(new Snapshot(VersionVector.of(Y, 1), Map.of())))
        .isInstanceOf(IllegalArgumentException.class);

    assertThat(store.snapshot().vector()).isEqualTo(VersionVector.empty());
    assertThat(store.readFeed(X, 1, 10)).isEqualTo(feed(X, 1, 2));
  }

  @Test
  void laterSnapshotReplacesTheEarlierOne() {
    ReplicaStore store = bound();
    store.append(feed(X, 1, 6));
    store.saveSnapshot(new Snapshot(VersionVector.of(X, 2), Map.of("a", new byte[] {1})));
    Snapshot later = new Snapshot(VersionVector.of(X, 4), Map.of("b", new byte[] {2}));

    store.saveSnapshot(later);

    assertSameSnapshot(store.snapshot(), later);
    assertThat(store.readFeed(X, 5, 10)).isEqualTo(feed(X, 5, 6));
    assertSameSnapshot(reopenTracked(store).snapshot(), later);
  }

  /**
   * Saving an older snapshot after a newer one (a recovery that rolls back, say) may be refused;
   * if it is taken, reads still return what they claim: a run from the sequence asked for.
   */
  @Test
  void olderSnapshotAfterANewerOneLeavesReadsConsistent() {
    ReplicaStore store = bound();
    store.append(feed(X, 1, 6));
    store.saveSnapshot(new Snapshot(VersionVector.of(X, 4), Map.of("a", new byte[] {4})));

    try {
      store.saveSnapshot(new Snapshot(VersionVector.of(X, 2), Map.of("a", new byte[] {2})));
    } catch (IllegalArgumentException refused) {
      // allowed
    }

    for (long from = 1; from <= 7; from++) {
      List<DeltaRecord> run = store.readFeed(X, from, 10);
      if (!run.isEmpty()) {
        assertThat(run.get(0).seq()).as("first record of readFeed(X, %d, 10)", from)
            .isEqualTo(from);
        assertThat(run).isEqualTo(feed(X, from, from + run.size() - 1));
      }
    }
    assertThat(store.readFeed(X, 5, 10)).isEqualTo(feed(X, 5, 6));
    assertThat(store.vector()).isEqualTo(VersionVector.of(X, 6));
  }

  // ---- peers ----

  @Test
  void peerVectorOnlyGrows() {
    ReplicaStore store = bound();
    store.savePeerVector(OTHER, VersionVector.of(X, 5).with(SELF, 1));
    store.savePeerVector(OTHER, VersionVector.of(X, 3).with(Y, 2));
    store.savePeerVector(Y, VersionVector.of(SELF, 4));

    Map<ReplicaId, VersionVector> expected = Map.of(
        OTHER, VersionVector.of(X, 5).with(SELF, 1).with(Y, 2),
        Y, VersionVector.of(SELF, 4));
    assertThat(store.peerVectors()).isEqualTo(expected);
    assertThat(reopenTracked(store).peerVectors()).isEqualTo(expected);
  }

  // ---- snapshot transfer ----

  /**
   * A snapshot fetched from a peer may cover records this store never held: the vector becomes
   * the merge, the records it covers are gone, the log continues after it, all of it and the
   * snapshot's clock survive a reopen, and an older snapshot is refused.
   */
  @Test
  void installedSnapshotMayCoverRecordsNeverHeldAndTheLogContinuesAfterIt() {
    ReplicaStore store = bound();
    store.append(feed(X, 1, 2));
    store.append(feed(SELF, 1, 2));
    Snapshot fetched = new Snapshot(VersionVector.of(X, 5).with(Y, 3),
        Map.of("o", new byte[] {1}), new Hlc(9, 2, X));
    store.installSnapshot(fetched);

    VersionVector after = VersionVector.of(X, 5).with(Y, 3).with(SELF, 2);
    assertThat(store.vector()).isEqualTo(after);
    assertSameSnapshot(store.snapshot(), fetched);
    assertThat(store.readFeed(X, 1, 10)).isEmpty();
    assertThat(store.readFeed(SELF, 1, 10)).isEqualTo(feed(SELF, 1, 2));
    store.append(feed(X, 6, 7));
    store.append(feed(X, 4, 7)); // a peer resending what the snapshot covers: nothing new

    ReplicaStore again = reopenTracked(store);
    assertThat(again.vector()).isEqualTo(after.with(X, 7));
    assertThat(again.readFeed(X, 6, 10)).isEqualTo(feed(X, 6, 7));
    assertSameSnapshot(again.snapshot(), fetched);
    assertThat(again.snapshot().clock()).isEqualTo(new Hlc(9, 2, X));
    assertThatThrownBy(() -> again.installSnapshot(new Snapshot(VersionVector.of(X, 4),
        Map.of()))).as("older than the one held").isInstanceOf(IllegalArgumentException.class);
    assertThat(again.vector()).isEqualTo(after.with(X, 7));
  }

  /** Chunks of any size add up to the snapshot's canonical encoding, checked by its hash. */
  @Test
  void snapshotChunksReassembleToItsEncodingAndHash() {
    ReplicaStore store = bound();
    store.append(feed(X, 1, 3));
    Snapshot s = new Snapshot(VersionVector.of(X, 3), Map.of("a", new byte[100],
        "b", new byte[] {7}), new Hlc(3, 1, X));
    store.saveSnapshot(s);
    assertServesInChunks(store, SnapshotCodec.encode(s));
    assertServesInChunks(reopenTracked(store), SnapshotCodec.encode(s));
  }

  private static void assertServesInChunks(ReplicaStore store, byte[] encoding) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (long at = 0; at < store.snapshotSize(); at += 16) {
      all.writeBytes(store.snapshotChunk(at, 16));
    }
    assertThat(store.snapshotChunk(store.snapshotSize(), 16)).isEmpty();
    assertThatThrownBy(() -> store.snapshotChunk(store.snapshotSize() + 1, 16))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(all.toByteArray()).isEqualTo(encoding);
    assertThat(store.snapshotHash()).isEqualTo(SnapshotCodec.sha256(encoding));
  }

  /** The verified prefix of a transfer survives a restart; another offer starts over. */
  @Test
  void partialSnapshotSurvivesARestartAndStartsOverForAnotherOffer() {
    ReplicaStore store = bound();
    assertThat(store.partialSnapshot()).isEmpty();
    byte[] offer = {1, 2, 3};
    store.appendPartialSnapshot(offer, 0, new byte[] {10, 11});
    store.appendPartialSnapshot(offer, 2, new byte[] {12});
    store.appendPartialSnapshot(offer, 7, new byte[] {99}); // not where the bytes end: ignored
    store.appendPartialSnapshot(offer, 0, new byte[] {98}); // same offer from 0: ignored
    store.appendPartialSnapshot(new byte[] {5}, 3, new byte[] {97}); // another offer, not at 0

    ReplicaStore again = reopenTracked(store);
    PartialSnapshot kept = again.partialSnapshot().orElseThrow();
    assertThat(kept.offer()).isEqualTo(offer);
    assertThat(kept.verified()).containsExactly(10, 11, 12);
    again.appendPartialSnapshot(new byte[] {4}, 0, new byte[] {20});
    assertThat(again.partialSnapshot().orElseThrow().verified()).containsExactly(20);
    again.clearPartialSnapshot();
    assertThat(again.partialSnapshot()).isEmpty();
    assertThat(reopenTracked(again).partialSnapshot()).isEmpty();
  }

  // ---- sync bases ----

  /**
   * A base is replaced, not merged: after a whole summary it may shrink where a belief was
   * wrong. A store that keeps bases keeps the latest one per peer across a reopen.
   */
  @Test
  void syncBaseIsReplacedPerPeerAndSurvivesReopen() {
    ReplicaStore store = bound();
    assertThat(store.keepsSyncBases()).isTrue();
    SyncBase first = new SyncBase(VersionVector.of(X, 5).with(SELF, 2), VersionVector.of(Y, 3));
    SyncBase second = new SyncBase(VersionVector.of(X, 4), VersionVector.of(Y, 3).with(X, 1));
    SyncBase other = new SyncBase(VersionVector.empty(), VersionVector.of(SELF, 1));
    store.saveSyncBase(OTHER, first);
    store.saveSyncBase(Y, other);
    store.saveSyncBase(OTHER, second);

    Map<ReplicaId, SyncBase> expected = Map.of(OTHER, second, Y, other);
    assertThat(store.syncBases()).isEqualTo(expected);
    assertThat(reopenTracked(store).syncBases()).isEqualTo(expected);
  }

  // ---- lifecycle ----

  @Test
  void everythingSurvivesCloseAndReopen() {
    ReplicaStore store = bound();
    store.append(feed(SELF, 1, 3));
    store.append(feed(X, 1, 4));
    store.saveSnapshot(new Snapshot(VersionVector.of(X, 1), Map.of("o", new byte[] {7})));
    store.savePeerVector(OTHER, VersionVector.of(SELF, 2));

    ReplicaStore again = reopenTracked(store);

    assertThat(again.replicaId()).contains(SELF);
    assertThat(again.vector()).isEqualTo(VersionVector.of(SELF, 3).with(X, 4));
    assertThat(again.readFeed(SELF, 1, 10)).isEqualTo(feed(SELF, 1, 3));
    assertThat(again.readFeed(X, 2, 10)).isEqualTo(feed(X, 2, 4));
    assertSameSnapshot(again.snapshot(),
        new Snapshot(VersionVector.of(X, 1), Map.of("o", new byte[] {7})));
    assertThat(again.peerVectors()).isEqualTo(Map.of(OTHER, VersionVector.of(SELF, 2)));

    again.append(List.of(record(SELF, 4)));
    assertThat(reopenTracked(again).readFeed(SELF, 1, 10)).isEqualTo(feed(SELF, 1, 4));
  }

  @Test
  void everyOperationAfterCloseThrows() {
    ReplicaStore store = bound();
    store.append(feed(X, 1, 2));
    store.close();
    store.close(); // closing twice is harmless

    List<Runnable> operations = List.of(
        store::replicaId,
        () -> store.bind(SELF),
        () -> store.append(List.of(record(X, 3))),
        () -> store.readFeed(X, 1, 10),
        store::vector,
        store::snapshot,
        () -> store.saveSnapshot(Snapshot.empty()),
        store::peerVectors,
        () -> store.savePeerVector(OTHER, VersionVector.of(X, 1)));
    for (int i = 0; i < operations.size(); i++) {
      Runnable op = operations.get(i);
      assertThatThrownBy(op::run).as("operation %d after close", i)
          .isInstanceOfAny(IllegalStateException.class, StoreException.class);
    }
    assertThat(reopenTracked(store).readFeed(X, 1, 10))
        .as("a refused append after close stored nothing").isEqualTo(feed(X, 1, 2));
  }

  // ---- helpers ----

  @Override
  public ReplicaStore boundStore() {
    return bound();
  }

  @Override
  public ReplicaStore newStore() {
    return track(open());
  }

  private ReplicaStore track(ReplicaStore s) {
    handles.add(s);
    return s;
  }

  /** A new store, bound to SELF. */
  private ReplicaStore bound() {
    ReplicaStore s = track(open());
    s.bind(SELF);
    return s;
  }

  private ReplicaStore reopenTracked(ReplicaStore s) {
    s.close();
    return track(reopen(s));
  }

  protected static DeltaRecord record(ReplicaId origin, long seq) {
    VersionVector deps = origin.equals(X) ? VersionVector.empty() : VersionVector.of(X, seq);
    return new DeltaRecord(origin, seq, deps, new Hlc(1_700_000_000_000L + seq, (int) seq % 3,
        origin), "obj-" + (seq % 2), new byte[] {(byte) seq, (byte) (seq >> 8), 42});
  }

  /** Records {@code from..to} of {@code origin}'s feed. */
  protected static List<DeltaRecord> feed(ReplicaId origin, long from, long to) {
    List<DeltaRecord> out = new ArrayList<>();
    for (long s = from; s <= to; s++) {
      out.add(record(origin, s));
    }
    return out;
  }

  private static void assertSameSnapshot(Snapshot actual, Snapshot expected) {
    assertThat(actual.vector()).isEqualTo(expected.vector());
    assertThat(actual.clock()).isEqualTo(expected.clock());
    assertThat(actual.objects().keySet()).isEqualTo(expected.objects().keySet());
    expected.objects().forEach((name, bytes) ->
        assertThat(actual.objects().get(name)).as(name).isEqualTo(bytes));
  }
}
