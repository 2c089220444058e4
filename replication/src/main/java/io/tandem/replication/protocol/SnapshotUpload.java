package io.tandem.replication.protocol;

import io.tandem.crdt.VersionVector;
import io.tandem.replication.protocol.Message.SnapshotChunk;
import io.tandem.replication.protocol.Message.SnapshotFetch;
import io.tandem.replication.protocol.Message.SnapshotOffer;
import io.tandem.replication.protocol.ProtocolException.Reason;
import java.util.Arrays;
import java.util.List;

/**
 * This replica's snapshot, served to one peer that lacks records it covers (compacted away from
 * the log): offered once, then sent chunk by chunk as the peer fetches them, and offered again
 * when no fetch comes, since the offer, a fetch or a chunk was lost. The fetching side is
 * {@link SnapshotDownload}.
 *
 * <p>Law: only chunks of the snapshot currently offered go, at chunk boundaries within its size;
 * a fetch of another one is ignored and the current one offered instead.
 */
final class SnapshotUpload {

  private final SyncSession.Local local;
  private final SessionConfig config;
  private final PeerView peer;
  /** The hash of the snapshot last offered to the peer, when, and how long until offered again. */
  private byte[] offeredHash;
  private long offeredAt;
  private long offerBackoff;

  SnapshotUpload(SyncSession.Local local, SessionConfig config, PeerView peer) {
    this.local = local;
    this.config = config;
    this.peer = peer;
    this.offerBackoff = config.minBackoffMillis();
  }

  /** Offers the snapshot once to a peer that lacks records it covers. */
  void offer(long now, List<Message> out) {
    VersionVector covered = local.snapshotVector();
    if (covered.isEmpty() || peer.vector().descends(covered)) {
      offeredHash = null;
      return;
    }
    if (offeredHash != null) {
      return;
    }
    SnapshotOffer o = local.snapshotOffer();
    if (o != null) {
      out.add(o);
      offeredHash = o.hash();
      offeredAt = now;
    }
  }

  /**
   * Whether the offer is due again at {@code now}: no fetch since it, so it, or the fetch, or a
   * chunk, was lost. The peer resumes from its last verified chunk.
   */
  boolean overdue(long now) {
    if (offeredHash != null && now - offeredAt >= offerBackoff) {
      offeredHash = null;
      offerBackoff = SendWindow.nextBackoff(config, offerBackoff);
      return true;
    }
    return false;
  }

  /** Answers the peer's fetch {@code f} with the chunk it names. */
  void fetched(SnapshotFetch f, long now, List<Message> out) throws ProtocolException {
    SnapshotOffer current = local.snapshotOffer();
    if (current == null || !Arrays.equals(current.hash(), f.hash())) {
      offeredHash = null; // that snapshot is gone: the next pump offers the current one
      return;
    }
    if (f.offset() >= current.size() || f.offset() % current.chunkBytes() != 0) {
      throw new ProtocolException(Reason.VIOLATION, "fetch of snapshot bytes at " + f.offset()
          + ", not a chunk of its " + current.size());
    }
    byte[] bytes = local.snapshotChunk(f.hash(), f.offset(), current.chunkLength(f.offset()));
    if (bytes == null) {
      offeredHash = null;
      return;
    }
    offeredAt = now;
    offerBackoff = config.minBackoffMillis();
    out.add(new SnapshotChunk(f.hash(), f.offset(), bytes));
  }
}
