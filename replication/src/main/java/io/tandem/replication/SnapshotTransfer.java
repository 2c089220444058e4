package io.tandem.replication;

import io.tandem.crdt.Crdt;
import io.tandem.crdt.Hlc;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.crdt.codec.CodecException;
import io.tandem.replication.protocol.Message;
import io.tandem.replication.protocol.Message.SnapshotChunk;
import io.tandem.replication.protocol.Message.SnapshotOffer;
import io.tandem.replication.protocol.MessageCodec;
import io.tandem.replication.protocol.ProtocolException;
import io.tandem.replication.protocol.ProtocolException.Reason;
import io.tandem.replication.protocol.ProtocolLimits;
import io.tandem.replication.protocol.SnapshotDownload;
import io.tandem.replication.spi.PartialSnapshot;
import io.tandem.replication.spi.ReplicaStore;
import io.tandem.replication.spi.Snapshot;
import io.tandem.replication.spi.SnapshotCodec;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The replica's side of snapshot transfers. Serving: the offer for the store's snapshot, made
 * once per snapshot, and its chunks. Fetching: at most one download at a time, whichever session
 * offered it, kept in the store chunk by chunk so that it survives a disconnect and a restart,
 * and checked whole before the replica installs it. Not thread safe: the replica calls it under
 * its lock.
 */
final class SnapshotTransfer {

  private static final System.Logger LOG = System.getLogger(SnapshotTransfer.class.getName());

  /** A fetched snapshot that verified and decoded, with its objects decoded. */
  record Fetched(Snapshot snapshot, Map<String, Crdt<?>> objects) {}

  /** The largest snapshot a replica fetches: what one byte array holds. */
  static final long MAX_SNAPSHOT_BYTES = Integer.MAX_VALUE - 8;

  private final ReplicaStore store;
  private final ProtocolLimits limits;
  /** How long a download may make no progress before another offer replaces it. */
  private final long stallMillis;
  private SnapshotDownload download;
  private byte[] offerFrame;
  private byte[] completed;
  private SnapshotOffer served;
  private long chunksVerified;
  private long chunksRejected;
  private long installed;

  SnapshotTransfer(ReplicaStore store, ProtocolLimits limits, long stallMillis, long now) {
    this.store = store;
    this.limits = limits;
    this.stallMillis = stallMillis;
    Optional<PartialSnapshot> kept = store.partialSnapshot();
    if (kept.isPresent()) {
      try {
        Message m = MessageCodec.decode(ByteBuffer.wrap(kept.get().offer()), limits);
        if (!(m instanceof SnapshotOffer o)) {
          throw new ProtocolException(Reason.VIOLATION, "kept offer is a "
              + m.getClass().getSimpleName());
        }
        download = SnapshotDownload.resume(o, kept.get().verified(), now);
        offerFrame = kept.get().offer().clone();
        LOG.log(Level.INFO, "resuming a snapshot transfer at {0} of {1} bytes",
            download.verifiedBytes(), o.size());
      } catch (ProtocolException e) {
        LOG.log(Level.WARNING, "kept snapshot transfer unreadable, dropped: {0}", e.getMessage());
        store.clearPartialSnapshot();
      }
    }
  }

  // --- serving ---

  /** The offer for the store's snapshot at {@code vector}, or null if it has none. */
  SnapshotOffer served(VersionVector vector) {
    if (served == null && !vector.isEmpty()) {
      long size = store.snapshotSize();
      int chunk = limits.maxChunkBytes();
      long n = (size + chunk - 1) / chunk;
      if (n > limits.maxEntries()) {
        LOG.log(Level.ERROR, "snapshot of {0} bytes needs more than {1} chunks; not offered",
            size, limits.maxEntries());
        return null;
      }
      List<byte[]> hashes = new ArrayList<>((int) n);
      for (long offset = 0; offset < size; offset += chunk) {
        hashes.add(SnapshotCodec.sha256(store.snapshotChunk(offset, chunk)));
      }
      served = new SnapshotOffer(vector, size, store.snapshotHash(), chunk, hashes);
    }
    return served;
  }

  /** Bytes of the snapshot offered with {@code hash}; null if that one is gone. */
  byte[] serve(byte[] hash, long offset, int max) {
    return served != null && Arrays.equals(served.hash(), hash)
        ? store.snapshotChunk(offset, max) : null;
  }

  /** The store's snapshot changed: the next offer is for the new one. */
  void snapshotChanged() {
    served = null;
  }

  // --- fetching ---

  /**
   * A peer offers its snapshot to a replica holding {@code mine}: a fetch if it is wanted.
   *
   * @throws ProtocolException if it claims records of {@code self}'s feed never written
   */
  List<Message> offered(SnapshotOffer o, ReplicaId self, VersionVector mine, long now)
      throws ProtocolException {
    if (o.vector().get(self) > mine.get(self)) {
      throw new ProtocolException(Reason.VIOLATION, "snapshot covers " + o.vector().get(self)
          + " records of this replica's feed, which has " + mine.get(self));
    }
    if (o.size() > MAX_SNAPSHOT_BYTES) {
      // A download is held in one array, so this is the most a snapshot can be; no peer may
      // make this replica reserve more.
      throw new ProtocolException(Reason.LIMIT_EXCEEDED, "snapshot of " + o.size()
          + " bytes above " + MAX_SNAPSHOT_BYTES);
    }
    if (o.chunkBytes() > limits.maxChunkBytes()) {
      throw new ProtocolException(Reason.LIMIT_EXCEEDED, "snapshot chunks of "
          + o.chunkBytes() + " bytes above " + limits.maxChunkBytes());
    }
    if (mine.descends(o.vector())) {
      return List.of(new Message.Ack(mine)); // nothing in it is new here: say what we hold
    }
    if (download != null && download.answers(o)) {
      return List.of(download.next());
    }
    boolean newer = download != null && o.vector().descends(download.offer().vector());
    if (download == null || newer || now - download.lastProgress() > stallMillis) {
      download = SnapshotDownload.start(o, now);
      offerFrame = toArray(MessageCodec.encode(o));
      store.appendPartialSnapshot(offerFrame, 0, new byte[0]);
      return List.of(download.next());
    }
    return List.of(); // another transfer is under way and moving
  }

  /** A chunk arrived: the next fetch, or the same again, or nothing. */
  List<Message> chunk(SnapshotChunk c, long now) {
    if (download == null) {
      return List.of();
    }
    switch (download.accept(c, now)) {
      case VERIFIED -> {
        chunksVerified++;
        store.appendPartialSnapshot(offerFrame, c.offset(), c.bytes());
        return List.of(download.next());
      }
      case COMPLETE -> {
        chunksVerified++;
        completed = download.bytes();
        download = null;
        store.clearPartialSnapshot();
        return List.of();
      }
      case REJECTED -> {
        chunksRejected++;
        LOG.log(Level.WARNING, "snapshot chunk rejected, fetching it again: {0}",
            download.reason());
        return List.of(download.next());
      }
      default -> {
        return List.of();
      }
    }
  }

  /** The encoding of a snapshot fetched and verified whole, once; null if none. */
  byte[] takeCompleted() {
    byte[] b = completed;
    completed = null;
    return b;
  }

  /**
   * Checks a verified snapshot's content before anything of it is applied: it decodes, every
   * object is a CRDT of the type the replica holds under that name, and it claims no record of
   * the replica's own feed beyond those written.
   *
   * @return the snapshot and its objects, or null (logged) if it does not hold
   */
  Fetched check(byte[] bytes, ReplicaId self, VersionVector mine,
      Map<String, Crdt<?>> objects) {
    try {
      Snapshot got = SnapshotCodec.decode(bytes);
      if (got.vector().get(self) > mine.get(self)) {
        throw new IllegalArgumentException("it covers records of this replica's feed never "
            + "written");
      }
      Map<String, Crdt<?>> decoded = new HashMap<>();
      for (Map.Entry<String, byte[]> e : got.objects().entrySet()) {
        Object v = BinaryCodec.decode(e.getValue());
        Crdt<?> existing = objects.get(e.getKey());
        if (Crdts.emptyLike(v) == null
            || existing != null && existing.getClass() != v.getClass()) {
          throw new IllegalArgumentException("object " + e.getKey() + " is a "
              + v.getClass().getSimpleName() + " there and a "
              + (existing == null ? "no CRDT" : existing.getClass().getSimpleName()) + " here");
        }
        decoded.put(e.getKey(), (Crdt<?>) v);
      }
      return new Fetched(got, decoded);
    } catch (IllegalArgumentException | CodecException e) {
      chunksRejected++;
      LOG.log(Level.WARNING, "fetched snapshot refused, nothing changed: {0}", e.getMessage());
      return null;
    }
  }

  /**
   * The snapshot a store keeps after installing {@code got} over {@code base}: the join of both,
   * as of the merge of their vectors. Exact, not more: the records between the two vectors are
   * all inside one of them.
   */
  static Snapshot join(Snapshot base, Fetched got) {
    Map<String, Crdt<?>> joined = new HashMap<>();
    base.objects().forEach((name, b) -> joined.put(name, Replay.decode(b, name)));
    got.objects().forEach((name, v) -> joined.merge(name, v, Crdts::merge));
    Hlc a = base.clock();
    Hlc b = got.snapshot().clock();
    Hlc clock = a == null ? b : b == null ? a : a.max(b);
    return new Snapshot(base.vector().merge(got.snapshot().vector()),
        Compactor.encode(joined), clock);
  }

  /** A fetched snapshot was installed; the replica now holds {@code mine}. */
  void installed(VersionVector mine) {
    installed++;
    served = null;
    held(mine);
    LOG.log(Level.INFO, "installed a fetched snapshot; now at {0}", mine);
  }

  /** Chunks verified, chunks rejected, snapshots installed. */
  long[] counts() {
    return new long[] {chunksVerified, chunksRejected, installed};
  }

  /** A snapshot's vector now held: a download it covers is no longer wanted. */
  void held(VersionVector mine) {
    if (download != null && mine.descends(download.offer().vector())) {
      download = null;
      store.clearPartialSnapshot();
    }
  }

  long verifiedBytes() {
    return download == null ? 0 : download.verifiedBytes();
  }

  private static byte[] toArray(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
