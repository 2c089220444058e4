package io.tandem.replication.memory;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.spi.PartialSnapshot;
import io.tandem.replication.spi.ReplicaStore;
import io.tandem.replication.spi.Snapshot;
import io.tandem.replication.spi.SnapshotCodec;
import io.tandem.replication.spi.StoreException;
import io.tandem.replication.spi.SyncBase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A {@link ReplicaStore} in memory, for tests and examples: it keeps the whole contract except
 * surviving the process. {@link #reopen()} hands out a fresh handle on the same data, as a
 * restarted process would open the same file.
 */
public final class InMemoryReplicaStore implements ReplicaStore {

  /** The data behind one or more handles, one open at a time. */
  private static final class Data {
    ReplicaId id;
    final Set<ReplicaId> retired = new LinkedHashSet<>();
    final Map<ReplicaId, List<DeltaRecord>> feeds = new HashMap<>();
    final Map<ReplicaId, Long> firstSeq = new HashMap<>(); // first seq held after a snapshot
    VersionVector vector = VersionVector.empty();
    Snapshot snapshot = Snapshot.empty();
    byte[] encoded; // the snapshot's encoding, made when first asked for
    byte[] partialOffer;
    final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();
    final Map<ReplicaId, VersionVector> peers = new LinkedHashMap<>();
    final Map<ReplicaId, SyncBase> bases = new LinkedHashMap<>();
    long purges;
    boolean open;
  }

  private final Data data;
  private boolean closed;

  public InMemoryReplicaStore() {
    this(new Data());
  }

  private InMemoryReplicaStore(Data data) {
    this.data = data;
    synchronized (data) {
      if (data.open) {
        throw new StoreException("store is already open in this process");
      }
      data.open = true;
    }
  }

  /**
   * A new handle on the same data, as after a restart.
   *
   * @throws StoreException if this handle is still open
   */
  public InMemoryReplicaStore reopen() {
    return new InMemoryReplicaStore(data);
  }

  @Override
  public Optional<ReplicaId> replicaId() {
    synchronized (data) {
      check();
      return Optional.ofNullable(data.id);
    }
  }

  @Override
  public void bind(ReplicaId id) {
    synchronized (data) {
      check();
      if (data.id != null && !data.id.equals(id)) {
        throw new IllegalStateException("store belongs to " + data.id + ", not " + id
            + (data.retired.contains(id) ? " (" + id + " was retired)" : ""));
      }
      data.id = id;
    }
  }

  /**
   * A second store holding what this one holds now, as a backup taken now and restored later, or
   * the store's file copied to a second device: the same id, the same records, its own life from
   * here on.
   */
  public InMemoryReplicaStore copy() {
    synchronized (data) {
      check();
      Data c = new Data();
      c.id = data.id;
      c.retired.addAll(data.retired);
      data.feeds.forEach((origin, records) -> c.feeds.put(origin, new ArrayList<>(records)));
      c.firstSeq.putAll(data.firstSeq);
      c.vector = data.vector;
      c.snapshot = data.snapshot;
      c.peers.putAll(data.peers);
      c.bases.putAll(data.bases);
      return new InMemoryReplicaStore(c);
    }
  }

  @Override
  public Set<ReplicaId> retiredIds() {
    synchronized (data) {
      check();
      return Set.copyOf(data.retired);
    }
  }

  @Override
  public void retire(ReplicaId current, ReplicaId next) {
    synchronized (data) {
      check();
      if (!current.equals(data.id)) {
        throw new IllegalStateException("store belongs to " + data.id + ", not " + current);
      }
      if (data.retired.contains(next) || next.equals(current) || data.vector.get(next) > 0) {
        throw new IllegalStateException("cannot move to " + next
            + ": retired already, or its feed is held here");
      }
      data.retired.add(current);
      data.id = next;
    }
  }

  @Override
  public void append(List<DeltaRecord> records) {
    synchronized (data) {
      check();
      // Check the whole call first: nothing of a refused call is stored.
      Map<ReplicaId, Long> next = new HashMap<>();
      List<DeltaRecord> fresh = new ArrayList<>();
      for (DeltaRecord r : records) {
        long expected = next.computeIfAbsent(r.origin(), o -> data.vector.get(o) + 1);
        if (r.seq() < expected) {
          DeltaRecord held = find(r.origin(), r.seq());
          if (held != null && !held.equals(r)) {
            throw new IllegalArgumentException("seq " + r.seq() + " of " + r.origin()
                + " is stored with other content");
          }
          continue;
        }
        if (r.seq() != expected) {
          throw new IllegalArgumentException("record " + r + " leaves a gap after "
              + (expected - 1));
        }
        next.put(r.origin(), expected + 1);
        fresh.add(r);
      }
      for (DeltaRecord r : fresh) {
        data.feeds.computeIfAbsent(r.origin(), o -> new ArrayList<>()).add(r);
        data.firstSeq.putIfAbsent(r.origin(), r.seq());
        data.vector = data.vector.with(r.origin(), r.seq());
      }
    }
  }

  @Override
  public List<DeltaRecord> readFeed(ReplicaId origin, long fromSeq, int max) {
    synchronized (data) {
      check();
      List<DeltaRecord> feed = data.feeds.get(origin);
      if (feed == null || feed.isEmpty() || max <= 0) {
        return List.of();
      }
      long first = data.firstSeq.get(origin);
      if (fromSeq < first || fromSeq > first + feed.size() - 1) {
        return List.of();
      }
      int from = (int) (fromSeq - first);
      return List.copyOf(feed.subList(from, Math.min(feed.size(), from + max)));
    }
  }

  private DeltaRecord find(ReplicaId origin, long seq) {
    List<DeltaRecord> r = readFeed(origin, seq, 1);
    return r.isEmpty() ? null : r.get(0);
  }

  @Override
  public VersionVector vector() {
    synchronized (data) {
      check();
      return data.vector;
    }
  }

  @Override
  public Snapshot snapshot() {
    synchronized (data) {
      check();
      return data.snapshot;
    }
  }

  @Override
  public void saveSnapshot(Snapshot snapshot) {
    synchronized (data) {
      check();
      if (!data.vector.descends(snapshot.vector())) {
        throw new IllegalArgumentException("snapshot covers " + snapshot.vector()
            + " beyond the records held " + data.vector);
      }
      replaceSnapshot(snapshot);
    }
  }

  @Override
  public void installSnapshot(Snapshot snapshot) {
    synchronized (data) {
      check();
      replaceSnapshot(snapshot);
      data.vector = data.vector.merge(snapshot.vector());
    }
  }

  @Override
  public boolean saveSnapshotUnlessPurged(Snapshot snapshot, long purgesSeen) {
    synchronized (data) {
      check();
      if (data.purges != purgesSeen) {
        return false;
      }
      saveSnapshot(snapshot);
      return true;
    }
  }

  @Override
  public int purge(String object, UnaryOperator<byte[]> rewrite) {
    DeltaRecord.checkObjectName(object);
    Objects.requireNonNull(rewrite, "rewrite");
    synchronized (data) {
      check();
      int changed = 0;
      for (List<DeltaRecord> feed : data.feeds.values()) {
        for (ListIterator<DeltaRecord> it = feed.listIterator(); it.hasNext(); ) {
          DeltaRecord r = it.next();
          byte[] payload = r.object().equals(object) ? rewrite.apply(r.payload()) : null;
          if (payload != null && !Arrays.equals(payload, r.payload())) {
            it.set(new DeltaRecord(r.origin(), r.seq(), r.deps(), r.hlc(), r.object(), payload));
            changed++;
          }
        }
      }
      byte[] state = data.snapshot.objects().get(object);
      byte[] replaced = state == null ? null : rewrite.apply(state);
      if (replaced != null && !Arrays.equals(replaced, state)) {
        Map<String, byte[]> objects = new HashMap<>(data.snapshot.objects());
        objects.put(object, replaced);
        data.snapshot = new Snapshot(data.snapshot.vector(), objects, data.snapshot.clock());
        data.encoded = null;
        changed++;
      }
      if (changed > 0) {
        data.purges++;
      }
      return changed;
    }
  }

  @Override
  public long purges() {
    synchronized (data) {
      check();
      return data.purges;
    }
  }

  private void replaceSnapshot(Snapshot snapshot) {
    if (!snapshot.vector().descends(data.snapshot.vector())) {
      throw new IllegalArgumentException("snapshot at " + snapshot.vector()
          + " is older than the one held at " + data.snapshot.vector());
    }
    data.snapshot = snapshot;
    data.encoded = null;
    snapshot.vector().forEach((origin, upTo) -> {
      List<DeltaRecord> feed = data.feeds.computeIfAbsent(origin, o -> new ArrayList<>());
      feed.removeIf(r -> r.seq() <= upTo);
      data.firstSeq.put(origin, feed.isEmpty() ? upTo + 1
          : Math.max(upTo + 1, feed.get(0).seq()));
    });
  }

  @Override
  public long snapshotSize() {
    return encoded().length;
  }

  @Override
  public byte[] snapshotHash() {
    return SnapshotCodec.sha256(encoded());
  }

  @Override
  public byte[] snapshotChunk(long offset, int max) {
    byte[] all = encoded();
    if (offset < 0 || offset > all.length || max < 0) {
      throw new IllegalArgumentException("offset " + offset + " outside the snapshot's "
          + all.length + " bytes, or max " + max + " < 0");
    }
    return Arrays.copyOfRange(all, (int) offset, (int) Math.min(all.length, offset + max));
  }

  private byte[] encoded() {
    synchronized (data) {
      check();
      if (data.encoded == null) {
        data.encoded = SnapshotCodec.encode(data.snapshot);
      }
      return data.encoded;
    }
  }

  @Override
  public Optional<PartialSnapshot> partialSnapshot() {
    synchronized (data) {
      check();
      return data.partialOffer == null ? Optional.empty()
          : Optional.of(new PartialSnapshot(data.partialOffer.clone(),
              data.partial.toByteArray()));
    }
  }

  @Override
  public void appendPartialSnapshot(byte[] offer, long offset, byte[] chunk) {
    synchronized (data) {
      check();
      if (offset == 0 && !Arrays.equals(offer, data.partialOffer)) {
        data.partialOffer = offer.clone();
        data.partial.reset();
      }
      if (Arrays.equals(offer, data.partialOffer) && offset == data.partial.size()) {
        data.partial.write(chunk, 0, chunk.length);
      }
    }
  }

  @Override
  public void clearPartialSnapshot() {
    synchronized (data) {
      check();
      data.partialOffer = null;
      data.partial.reset();
    }
  }

  @Override
  public Map<ReplicaId, VersionVector> peerVectors() {
    synchronized (data) {
      check();
      return Collections.unmodifiableMap(new LinkedHashMap<>(data.peers));
    }
  }

  @Override
  public void savePeerVector(ReplicaId peer, VersionVector acknowledged) {
    synchronized (data) {
      check();
      data.peers.merge(peer, acknowledged, VersionVector::merge);
    }
  }

  @Override
  public boolean keepsSyncBases() {
    return true;
  }

  @Override
  public Map<ReplicaId, SyncBase> syncBases() {
    synchronized (data) {
      check();
      return Collections.unmodifiableMap(new LinkedHashMap<>(data.bases));
    }
  }

  @Override
  public void saveSyncBase(ReplicaId peer, SyncBase base) {
    synchronized (data) {
      check();
      data.bases.put(peer, base);
    }
  }

  @Override
  public void close() {
    synchronized (data) {
      if (!closed) {
        closed = true;
        data.open = false;
      }
    }
  }

  private void check() {
    if (closed) {
      throw new StoreException("store is closed");
    }
  }
}
