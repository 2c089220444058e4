package io.tandem.replication.protocol;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.protocol.Message.SnapshotChunk;
import io.tandem.replication.protocol.Message.SnapshotFetch;
import io.tandem.replication.protocol.Message.SnapshotOffer;
import io.tandem.replication.protocol.ProtocolException.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The snapshot transfer's part of {@link MessageCodec}: offer, fetch and chunk bodies. */
final class SnapshotWire {

  private SnapshotWire() {}

  static boolean handles(Message m) {
    return m instanceof SnapshotOffer || m instanceof SnapshotFetch
        || m instanceof SnapshotChunk;
  }

  static int type(Message m) {
    if (m instanceof SnapshotOffer) {
      return MessageCodec.SNAPSHOT_OFFER;
    } else if (m instanceof SnapshotFetch) {
      return MessageCodec.SNAPSHOT_FETCH;
    }
    return MessageCodec.SNAPSHOT_CHUNK;
  }

  static void encode(WireWriter w, Message m, Map<ReplicaId, Integer> refs) {
    if (m instanceof SnapshotOffer o) {
      MessageCodec.vector(w, o.vector(), refs);
      w.varint(o.size());
      raw(w, o.hash());
      w.varint(o.chunkBytes());
      w.varint(o.chunkHashes().size());
      o.chunkHashes().forEach(h -> raw(w, h));
    } else if (m instanceof SnapshotFetch f) {
      raw(w, f.hash());
      w.varint(f.offset());
    } else {
      SnapshotChunk c = (SnapshotChunk) m;
      raw(w, c.hash());
      w.varint(c.offset());
      w.bytes(c.bytes());
    }
  }

  static Message decode(int type, WireReader in, ReplicaId[] ids, ProtocolLimits limits)
      throws ProtocolException {
    if (type == MessageCodec.SNAPSHOT_OFFER) {
      VersionVector vector = MessageCodec.vector(in, ids, limits);
      long size = in.positive(MessageCodec.MAX_SEQ, "snapshot size");
      byte[] hash = hash(in);
      long chunk = in.positive(limits.maxChunkBytes(), "snapshot chunk length");
      int n = in.count(Message.HASH_BYTES, limits.maxEntries(), "snapshot chunks");
      if (n != (size + chunk - 1) / chunk) {
        throw new ProtocolException(Reason.MALFORMED, n + " chunk hashes for " + size
            + " bytes in chunks of " + chunk);
      }
      List<byte[]> hashes = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        hashes.add(hash(in));
      }
      return new SnapshotOffer(vector, size, hash, (int) chunk, hashes);
    } else if (type == MessageCodec.SNAPSHOT_FETCH) {
      byte[] hash = hash(in);
      return new SnapshotFetch(hash, offset(in));
    }
    byte[] hash = hash(in);
    long offset = offset(in);
    return new SnapshotChunk(hash, offset, in.bytes(limits.maxChunkBytes(), "snapshot chunk"));
  }

  private static long offset(WireReader in) throws ProtocolException {
    long offset = in.varint();
    if (offset < 0 || offset > MessageCodec.MAX_SEQ) {
      throw new ProtocolException(Reason.MALFORMED, "snapshot offset out of range");
    }
    return offset;
  }

  private static byte[] hash(WireReader in) throws ProtocolException {
    byte[] h = new byte[Message.HASH_BYTES];
    for (int i = 0; i < h.length; i++) {
      h[i] = (byte) in.u8();
    }
    return h;
  }

  private static void raw(WireWriter w, byte[] b) {
    for (byte x : b) {
      w.u8(x);
    }
  }
}
