package io.tandem.replication.protocol;

import io.tandem.crdt.ReplicaId;
import io.tandem.replication.protocol.Message.Ephemeral;
import io.tandem.replication.protocol.ProtocolException.Reason;
import java.nio.charset.StandardCharsets;

/**
 * The ephemeral message's part of {@link MessageCodec} (type 10, protocol version 5):
 *
 * <pre>
 * ephemeral := seq:varint≥1 topic:(len:varint 1..255, UTF-8) payload:(len:varint ≤ 65,536, bytes)
 * </pre>
 * Its replica table is empty: the origin is the session's peer. Lengths are checked against the
 * limits of {@link Ephemeral} and the bytes left before anything is allocated.
 */
final class EphemeralWire {

  private EphemeralWire() {}

  static void encode(WireWriter w, Ephemeral e) {
    w.varint(e.seq());
    w.bytes(e.topic().getBytes(StandardCharsets.UTF_8));
    w.bytes(e.payload());
  }

  static Ephemeral decode(WireReader in, ReplicaId[] ids) throws ProtocolException {
    if (ids.length != 0) {
      throw new ProtocolException(Reason.MALFORMED, "an ephemeral message names no replica");
    }
    long seq = in.positive(MessageCodec.MAX_SEQ, "ephemeral seq");
    String topic = in.utf8(Ephemeral.MAX_TOPIC_BYTES, "topic");
    if (topic.isEmpty()) {
      throw new ProtocolException(Reason.MALFORMED, "empty topic");
    }
    byte[] payload = in.bytes(Ephemeral.MAX_PAYLOAD_BYTES, "ephemeral payload");
    return new Ephemeral(seq, topic, payload);
  }
}
