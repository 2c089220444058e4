package io.tandem.replication;

import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.crdt.codec.CodecException;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.protocol.Message;
import io.tandem.replication.protocol.MessageCodec;
import io.tandem.replication.protocol.ProtocolException;
import io.tandem.replication.protocol.ProtocolLimits;
import java.nio.ByteBuffer;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A frame from a peer decoded before the replica's lock is taken: its message, or why it does
 * not decode, and the payload of each record it carries, or why that does not decode. Decoding
 * is the costliest part of receiving and needs nothing the lock guards, so frames from several
 * peers decode at once. Nothing is judged here: a record whose payload does not decode only
 * ends the session if, under the lock, it turns out to be one the replica does not hold yet
 * (a replayed copy of a record held is dropped unread, garbage or not).
 */
final class DecodedFrame {

  final int bytes;
  private final Message message;
  private final ProtocolException failure;
  /** Per record of a deltas message, by identity: its decoded payload or a CodecException. */
  private final Map<DeltaRecord, Object> payloads;

  private DecodedFrame(int bytes, Message message, ProtocolException failure,
      Map<DeltaRecord, Object> payloads) {
    this.bytes = bytes;
    this.message = message;
    this.failure = failure;
    this.payloads = payloads;
  }

  /** Decodes {@code frame} within {@code limits}; never throws for what the peer sent. */
  static DecodedFrame of(ByteBuffer frame, ProtocolLimits limits) {
    int bytes = frame.remaining();
    Message m;
    try {
      m = MessageCodec.decode(frame, limits);
    } catch (ProtocolException e) {
      return new DecodedFrame(bytes, null, e, Map.of());
    }
    if (!(m instanceof Message.Deltas d)) {
      return new DecodedFrame(bytes, m, null, Map.of());
    }
    Map<DeltaRecord, Object> payloads = new IdentityHashMap<>(d.records().size() * 2);
    for (DeltaRecord r : d.records()) {
      Object v;
      try {
        v = BinaryCodec.decode(r.payload(), r.origin());
      } catch (CodecException e) {
        v = e;
      }
      payloads.put(r, v);
    }
    return new DecodedFrame(bytes, m, null, payloads);
  }

  /** The frame's message. @throws ProtocolException if the frame does not decode */
  Message message() throws ProtocolException {
    if (failure != null) {
      throw failure;
    }
    return message;
  }

  /**
   * What {@code r}'s payload decoded to: a value, a {@link CodecException}, or null if
   * {@code r} did not come in this frame.
   */
  Object payload(DeltaRecord r) {
    return payloads.get(r);
  }
}
