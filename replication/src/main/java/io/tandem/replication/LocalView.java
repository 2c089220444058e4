package io.tandem.replication;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.protocol.Message;
import io.tandem.replication.protocol.Message.SnapshotChunk;
import io.tandem.replication.protocol.Message.SnapshotOffer;
import io.tandem.replication.protocol.ProtocolException;
import io.tandem.replication.protocol.SyncSession;
import io.tandem.replication.spi.SyncBase;
import java.util.List;

/**
 * What a session reads of its replica: the vector and the records it holds (never an own record
 * durable but not yet published), the bases kept per peer, the claims, the snapshot. Sessions
 * call it under the replica's lock. {@code keepsBases} is false for a bundle's session, which
 * must not change what the replica keeps for the bundle's author, since a file hears nothing.
 */
final class LocalView implements SyncSession.Local {

  private final Replica replica;
  private final boolean keepsBases;

  LocalView(Replica replica, boolean keepsBases) {
    this.replica = replica;
    this.keepsBases = keepsBases;
  }

  @Override
  public ReplicaId id() {
    return replica.id;
  }

  @Override
  public VersionVector vector() {
    return replica.vector;
  }

  @Override
  public List<DeltaRecord> read(ReplicaId origin, long fromSeq, int max) {
    // The store may hold own records durable but not yet published: they stay unsent.
    long room = replica.vector.get(origin) - fromSeq + 1;
    if (room <= 0) {
      return List.of();
    }
    int n = (int) Math.min(max, room);
    List<DeltaRecord> held = replica.recent.read(origin, fromSeq, n);
    return held != null ? held : replica.store.readFeed(origin, fromSeq, n);
  }

  @Override
  public boolean reusedIdShownBy(DeltaRecord r) {
    return keepsBases && replica.identity.reusedIdShownBy(r);
  }

  /**
   * Compares what a write fixes for good: its clock, object and dependencies. Not the payload,
   * which an expiry's purge rewrites on each replica in its own time (ReplicaStore.purge), so
   * two copies of one record may differ there. Two copies of a store writing under one number
   * differ in their clocks unless they wrote in the same millisecond from the same clock.
   */
  @Override
  public boolean holdsOther(DeltaRecord r) {
    List<DeltaRecord> held = read(r.origin(), r.seq(), 1);
    if (held.isEmpty()) {
      return false;
    }
    DeltaRecord h = held.get(0);
    return !h.hlc().equals(r.hlc()) || !h.object().equals(r.object())
        || !h.deps().equals(r.deps());
  }

  @Override
  public SyncBase base(ReplicaId peer) {
    return keepsBases ? replica.bases.getOrDefault(peer, SyncBase.NONE) : SyncBase.NONE;
  }

  @Override
  public void saveBase(ReplicaId peer, SyncBase base) {
    if (keepsBases) {
      replica.bases.put(peer, base);
      replica.store.saveSyncBase(peer, base);
    }
  }

  @Override
  public boolean relayOpen() {
    for (SyncSession s : replica.sessions.all()) {
      if (s.peerIsRelay()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean connected(ReplicaId other) {
    for (SyncSession s : replica.sessions.all()) {
      if (other.equals(s.peer())) {
        return true;
      }
    }
    return false;
  }

  @Override
  public long claim(ReplicaId origin, long from, long to, Object by, long now, long until) {
    return keepsBases ? replica.claims.claim(origin, from, to, by, now, until) : from;
  }

  @Override
  public VersionVector snapshotVector() {
    return replica.snapshotVector;
  }

  @Override
  public SnapshotOffer snapshotOffer() {
    return replica.transfer.served(replica.snapshotVector);
  }

  @Override
  public byte[] snapshotChunk(byte[] hash, long offset, int max) {
    return replica.transfer.serve(hash, offset, max);
  }

  @Override
  public List<Message> snapshotOffered(SnapshotOffer offer, long now)
      throws ProtocolException {
    return replica.transfer.offered(offer, replica.id, replica.vector, now);
  }

  @Override
  public List<Message> snapshotChunk(SnapshotChunk chunk, long now) {
    return replica.transfer.chunk(chunk, now);
  }

  @Override
  public void ephemeral(ReplicaId peer, Message.Ephemeral e) {
    replica.ephemeral.received(peer, e);
  }
}
