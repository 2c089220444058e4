package io.tandem.replication.protocol;

import io.tandem.crdt.Hlc;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.protocol.ProtocolException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The records of a {@code Deltas} frame (protocol version 3), each written as what differs from
 * the record before it in the frame, so a run of one feed costs a few bytes a record on top of
 * its payload:
 *
 * <pre>
 * deltas := n:varint n × record
 * record := flags:u8 [origin:ref seq:varint≥1] [deps:vector] wall:varint logical:varint
 *           [object:(len:varint 1..255, UTF-8)] payload:(len:varint, bytes)
 * flags  := bit 0 NEXT: the previous record's origin, its seq + 1 (origin and seq omitted)
 *           bit 1 DEPS: deps present, not empty (absent: empty)
 *           bit 2 SAME_OBJECT: the previous record's object name (omitted)
 *           bit 3 ELIDED: the payload's bytes 2..10 were 01 and the origin's id (u64), as in a
 *                 crdt-core BinaryCodec value whose only replica is its author; they are left out
 *                 and put back by the reader
 * wall   := the first record's wall time; each later one zigzag(wall − previous wall)
 * </pre>
 * Every shortening is taken whenever it applies, and the reader refuses a record that could have
 * been written shorter, so each message has exactly one encoding. The reader trusts nothing:
 * counts against the bytes left, walls and counters within their ranges.
 */
final class RecordWire {

  static final int NEXT = 1;
  static final int DEPS = 2;
  static final int SAME_OBJECT = 4;
  static final int ELIDED = 8;
  private static final int KNOWN = NEXT | DEPS | SAME_OBJECT | ELIDED;
  /** Bytes 2..10 of an elidable payload: a replica table of one id. */
  private static final int ELIDED_BYTES = 9;
  /** The least a record takes: flags, wall, logical, payload length. */
  private static final int MIN_RECORD_BYTES = 4;

  private RecordWire() {}

  static void write(WireWriter w, List<DeltaRecord> records, Map<ReplicaId, Integer> refs) {
    w.varint(records.size());
    DeltaRecord previous = null;
    for (DeltaRecord r : records) {
      boolean next = previous != null && previous.origin().equals(r.origin())
          && previous.seq() + 1 == r.seq();
      boolean sameObject = previous != null && previous.object().equals(r.object());
      boolean elided = elidable(r.payload(), r.origin());
      w.u8((next ? NEXT : 0) | (r.deps().isEmpty() ? 0 : DEPS)
          | (sameObject ? SAME_OBJECT : 0) | (elided ? ELIDED : 0));
      if (!next) {
        w.varint(refs.get(r.origin()));
        w.varint(r.seq());
      }
      if (!r.deps().isEmpty()) {
        MessageCodec.vector(w, r.deps(), refs);
      }
      w.varint(previous == null ? r.hlc().wallMillis()
          : zigzag(r.hlc().wallMillis() - previous.hlc().wallMillis()));
      w.varint(r.hlc().logical());
      if (!sameObject) {
        w.bytes(r.object().getBytes(StandardCharsets.UTF_8));
      }
      w.bytes(elided ? elide(r.payload()) : r.payload());
      previous = r;
    }
  }

  static List<DeltaRecord> read(WireReader in, ReplicaId[] ids, ProtocolLimits limits)
      throws ProtocolException {
    int n = in.count(MIN_RECORD_BYTES, limits.maxRecords(), "records");
    List<DeltaRecord> out = new ArrayList<>(n);
    DeltaRecord previous = null;
    for (int i = 0; i < n; i++) {
      int flags = in.u8();
      if ((flags & ~KNOWN) != 0) {
        throw new ProtocolException(Reason.MALFORMED, "unknown record flags " + flags);
      }
      if (previous == null && (flags & (NEXT | SAME_OBJECT)) != 0) {
        throw new ProtocolException(Reason.MALFORMED, "first record refers to a previous one");
      }
      ReplicaId origin;
      long seq;
      if ((flags & NEXT) != 0) {
        origin = previous.origin();
        seq = previous.seq() + 1;
        if (seq > MessageCodec.MAX_SEQ) {
          throw new ProtocolException(Reason.MALFORMED, "seq out of range");
        }
      } else {
        origin = MessageCodec.ref(in, ids);
        seq = in.positive(MessageCodec.MAX_SEQ, "seq");
        if (previous != null && previous.origin().equals(origin) && previous.seq() + 1 == seq) {
          throw new ProtocolException(Reason.MALFORMED, "record spelled where NEXT says it");
        }
      }
      VersionVector deps = VersionVector.empty();
      if ((flags & DEPS) != 0) {
        deps = MessageCodec.vector(in, ids, limits);
        if (deps.isEmpty()) {
          throw new ProtocolException(Reason.MALFORMED, "flagged deps are empty");
        }
      }
      long rawWall = in.varint();
      long wall = previous == null ? rawWall
          : Math.addExact(previous.hlc().wallMillis(), unzigzag(rawWall));
      long logical = in.varint();
      if (wall < 0 || wall > Hlc.MAX_WALL_MILLIS || logical < 0
          || logical > Integer.MAX_VALUE) {
        throw new ProtocolException(Reason.MALFORMED, "bad hlc " + wall + "." + logical);
      }
      String object;
      if ((flags & SAME_OBJECT) != 0) {
        object = previous.object();
      } else {
        object = in.utf8(DeltaRecord.MAX_OBJECT_NAME_BYTES, "object name");
        if (previous != null && previous.object().equals(object)) {
          throw new ProtocolException(Reason.MALFORMED, "object spelled where SAME_OBJECT says it");
        }
      }
      byte[] payload = in.bytes(limits.maxFrameBytes(), "payload");
      if ((flags & ELIDED) != 0) {
        if (payload.length < 2) {
          throw new ProtocolException(Reason.MALFORMED, "elided payload of " + payload.length
              + " bytes");
        }
        payload = restore(payload, origin);
      } else if (elidable(payload, origin)) {
        throw new ProtocolException(Reason.MALFORMED, "payload not in its shortest form");
      }
      if (deps.get(origin) != 0) {
        throw new ProtocolException(Reason.VIOLATION, "record depends on its own feed");
      }
      DeltaRecord r = new DeltaRecord(origin, seq, deps, new Hlc(wall, (int) logical, origin),
          object, payload);
      out.add(r);
      previous = r;
    }
    return out;
  }

  /** Whether {@code payload} holds, at bytes 2..10, a replica table of just {@code origin}. */
  static boolean elidable(byte[] payload, ReplicaId origin) {
    if (payload.length < 2 + ELIDED_BYTES || payload[2] != 1) {
      return false;
    }
    long id = origin.value();
    for (int i = 0; i < 8; i++) {
      if (payload[3 + i] != (byte) (id >>> (56 - 8 * i))) {
        return false;
      }
    }
    return true;
  }

  private static byte[] elide(byte[] payload) {
    byte[] out = new byte[payload.length - ELIDED_BYTES];
    System.arraycopy(payload, 0, out, 0, 2);
    System.arraycopy(payload, 2 + ELIDED_BYTES, out, 2, out.length - 2);
    return out;
  }

  private static byte[] restore(byte[] elided, ReplicaId origin) {
    byte[] out = Arrays.copyOf(elided, elided.length + ELIDED_BYTES);
    System.arraycopy(elided, 2, out, 2 + ELIDED_BYTES, elided.length - 2);
    out[2] = 1;
    long id = origin.value();
    for (int i = 0; i < 8; i++) {
      out[3 + i] = (byte) (id >>> (56 - 8 * i));
    }
    return out;
  }

  static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  static long unzigzag(long z) {
    return (z >>> 1) ^ -(z & 1);
  }
}
