package io.tandem.replication;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
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
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * The replica's side of fetching a snapshot: at most one download at a time, whichever session
 * offered it, kept in the store chunk by chunk so that it survives a disconnect and a restart.
 * Not thread safe: the replica calls it under its lock.
 */
final class SnapshotFetcher {

  private static final System.Logger LOG = System.getLogger(SnapshotFetcher.class.getName());

  private final ReplicaStore store;
  private final ProtocolLimits limits;
  /** How long a download may make no progress before another offer replaces it. */
  private final long stallMillis;
  private SnapshotDownload download;
  private byte[] offerFrame;
  private byte[] completed;
  long chunksVerified;
  long chunksRejected;
  long installed;

  SnapshotFetcher(ReplicaStore store, ProtocolLimits limits, long stallMillis, long now) {
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
