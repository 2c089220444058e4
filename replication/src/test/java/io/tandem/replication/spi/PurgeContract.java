package io.tandem.replication.spi;

import static io.tandem.replication.spi.ReplicaStoreContract.X;
import static io.tandem.replication.spi.ReplicaStoreContract.Y;
import static io.tandem.replication.spi.ReplicaStoreContract.feed;
import static io.tandem.replication.spi.ReplicaStoreContract.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.crdt.codec.CodecException;
import io.tandem.replication.Replica;
import io.tandem.replication.ReplicaConfig;
import io.tandem.replication.log.DeltaRecord;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * What {@link ReplicaStore#purge} must do, and its law: a purge is never undone, not even by a
 * compaction that read the payloads before the purge and saves after it. Part of
 * {@link ReplicaStoreContract}, which every store's test extends.
 */
public interface PurgeContract {

  /** A new, empty store, bound to {@code SELF} and closed after the test. */
  ReplicaStore boundStore();

  /** A new, empty store, closed after the test. */
  ReplicaStore newStore();

  String SECRET = "secret";
  byte[] PURGED = BinaryCodec.encode(OrSet.<String>empty());

  @Test
  default void purgeReplacesPayloadsInPlaceAndTheSnapshotsState() {
    ReplicaStore store = boundStore();
    store.append(feed(X, 1, 6));
    store.append(feed(Y, 1, 3));
    store.saveSnapshot(new Snapshot(VersionVector.of(X, 2), Map.of("obj-1", new byte[] {5},
        "obj-0", new byte[] {6})));
    long before = store.purges();

    // Held: X 3..6 (two of obj-1), Y 1..3 (two of obj-1), and obj-1 in the snapshot. A store
    // that still keeps a covered record in its file (H2's row X 1..6) purges it too.
    assertThat(store.purge("obj-1", p -> new byte[] {0})).isBetween(5, 6);

    assertThat(store.purges()).isEqualTo(before + 1);
    assertThat(store.snapshot().objects().get("obj-1")).containsExactly(0);
    assertThat(store.snapshot().objects().get("obj-0")).containsExactly(6);
    assertThat(store.readFeed(X, 3, 10)).hasSize(4);
    assertThat(store.readFeed(Y, 1, 10)).hasSize(3);
    for (DeltaRecord r : concat(store.readFeed(X, 3, 10), store.readFeed(Y, 1, 10))) {
      DeltaRecord was = record(r.origin(), r.seq());
      assertThat(r).isEqualTo(r.object().equals("obj-1") ? new DeltaRecord(r.origin(), r.seq(),
          was.deps(), was.hlc(), was.object(), new byte[] {0}) : was);
    }
    assertThat(store.purge("obj-1", p -> new byte[] {0})).as("nothing left to purge").isZero();
    assertThat(store.purges()).as("after a purge that changed nothing").isEqualTo(before + 1);
  }

  @Test
  default void snapshotFoldedFromWhatAPurgeReplacedIsRefused() {
    ReplicaStore store = boundStore();
    store.append(feed(X, 1, 4));
    long seen = store.purges();
    // A fold reads the records (obj-1 at 1 and 3), then the purge lands, then the fold saves.
    Map<String, byte[]> folded = Map.of("obj-1", store.readFeed(X, 3, 1).get(0).payload());
    store.purge("obj-1", p -> new byte[] {0});

    assertThat(store.saveSnapshotUnlessPurged(new Snapshot(VersionVector.of(X, 4), folded), seen))
        .isFalse();
    assertThat(store.snapshot().vector()).isEqualTo(VersionVector.empty());
    assertThat(store.readFeed(X, 3, 1).get(0).payload()).containsExactly(0);

    // Folded again from what the store holds now, it is saved.
    seen = store.purges();
    Snapshot again = new Snapshot(VersionVector.of(X, 4),
        Map.of("obj-1", store.readFeed(X, 3, 1).get(0).payload()));
    assertThat(store.saveSnapshotUnlessPurged(again, seen)).isTrue();
    assertThat(store.snapshot().vector()).isEqualTo(VersionVector.of(X, 4));
    assertThat(store.snapshot().objects().get("obj-1")).containsExactly(0);
    assertThat(store.readFeed(X, 1, 10)).isEmpty();
  }

  /**
   * The race compaction used to lose: it reads the snapshot and the stable records outside the
   * store's lock, folds them and saves the result, and a purge landing between the reads and the
   * save was undone by the payloads read before it. Here the purge runs as the compaction's
   * first read returns, every time, without threads or sleeps.
   */
  @Test
  default void compactionNeverUndoesAPurgeThatLandsBetweenItsReadsAndItsSave() {
    ReplicaStore store = newStore();
    AtomicBoolean purgeAfterRead = new AtomicBoolean();
    ReplicaStore racing = new ForwardingReplicaStore(store) {
      @Override
      public List<DeltaRecord> readFeed(ReplicaId origin, long fromSeq, int max) {
        List<DeltaRecord> run = super.readFeed(origin, fromSeq, max);
        if (purgeAfterRead.compareAndSet(true, false)) {
          purge(SECRET, p -> PURGED);
        }
        return run;
      }
    };
    ReplicaId self = ReplicaStoreContract.SELF;
    ReplicaConfig byHand = ReplicaConfig.DEFAULT.withCompaction(0,
        ReplicaConfig.DEFAULT.forgetAfterMillis());
    try (Replica replica = Replica.builder().id(self).store(racing).config(byHand).build()) {
      replica.update(SECRET, OrSet.<String>empty(), (set, w) -> set.add(w.replica(), "pin"));
      replica.update("note", OrSet.<String>empty(), (set, w) -> set.add(w.replica(), "milk"));
      replica.update(SECRET, OrSet.<String>empty(), (set, w) -> set.add(w.replica(), "1234"));
      assertThat(secrets(store)).as("before the purge").containsExactlyInAnyOrder("pin", "1234");

      purgeAfterRead.set(true);
      replica.compact();

      assertThat(purgeAfterRead).as("the purge ran inside the compaction").isFalse();
      assertThat(secrets(store)).as("after a compaction the purge raced").isEmpty();
      assertThat(replica.compact()).as("the next run folds what the purge left")
          .isEqualTo(VersionVector.of(self, 3));
      assertThat(secrets(store)).isEmpty();
      assertThat(elements(store.snapshot().objects().get("note"), null)).containsExactly("milk");
    }
  }

  /** The elements of {@link #SECRET} the store holds, in the snapshot or in the log. */
  private static Set<Object> secrets(ReplicaStore store) {
    Snapshot snapshot = store.snapshot();
    Set<Object> out = new HashSet<>(elements(snapshot.objects().get(SECRET), null));
    store.vector().forEach((origin, upTo) -> store.readFeed(origin,
        snapshot.vector().get(origin) + 1, Integer.MAX_VALUE).stream()
        .filter(r -> r.object().equals(SECRET))
        .forEach(r -> out.addAll(elements(r.payload(), r.origin()))));
    return out;
  }

  /** A state's elements, or a record's: its origin is implicit in its bytes. */
  private static Set<Object> elements(byte[] orSet, ReplicaId origin) {
    if (orSet == null) {
      return Set.of();
    }
    try {
      Object set = origin == null ? BinaryCodec.decode(orSet) : BinaryCodec.decode(orSet, origin);
      return Set.copyOf(((OrSet<?>) set).elements());
    } catch (CodecException e) {
      throw new AssertionError("not an OrSet: " + e, e);
    }
  }

  @Test
  default void purgeOfSeveralObjectsReplacesThePayloadsOfEachAndNoOther() {
    ReplicaStore store = boundStore();
    store.append(feed(X, 1, 6));
    store.append(feed(Y, 1, 3));
    store.saveSnapshot(new Snapshot(VersionVector.of(X, 2), Map.of("obj-1", new byte[] {5},
        "obj-0", new byte[] {6}, "other", new byte[] {7})));
    long before = store.purges();

    assertThat(store.purge(List.of("obj-0", "obj-1"), p -> new byte[] {0})).isPositive();

    // One purge or one per object, as the store does it; never none.
    assertThat(store.purges()).isBetween(before + 1, before + 2);
    for (DeltaRecord r : concat(store.readFeed(X, 3, 10), store.readFeed(Y, 1, 10))) {
      assertThat(r.payload()).as("%s", r).containsExactly(0);
    }
    assertThat(store.snapshot().objects().get("obj-0")).containsExactly(0);
    assertThat(store.snapshot().objects().get("obj-1")).containsExactly(0);
    assertThat(store.snapshot().objects().get("other")).containsExactly(7);
    assertThat(store.purge(List.of("obj-0", "obj-1"), p -> new byte[] {0})).isZero();
  }

  private static List<DeltaRecord> concat(List<DeltaRecord> a, List<DeltaRecord> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
