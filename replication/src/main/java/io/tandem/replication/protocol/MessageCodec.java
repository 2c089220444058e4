package io.tandem.replication.protocol;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.protocol.Message.Ack;
import io.tandem.replication.protocol.Message.Deltas;
import io.tandem.replication.protocol.Message.Hello;
import io.tandem.replication.protocol.Message.Offer;
import io.tandem.replication.protocol.Message.Prune;
import io.tandem.replication.protocol.Message.Range;
import io.tandem.replication.protocol.Message.Request;
import io.tandem.replication.protocol.Message.Resend;
import io.tandem.replication.protocol.Message.Summary;
import io.tandem.replication.protocol.ProtocolException.Reason;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The binary encoding of {@link Message}s, one message per frame.
 *
 * <pre>
 * frame    := type:u8 replicas body          type: 1 hello, 2 summary, 3 ack, 4 deltas,
 * replicas := n:varint (n × id:u64)          5 offer, 6 request; ids ascending (unsigned)
 * ref      := varint index into replicas
 * vector   := n:varint n × (ref counter:varint≥1), refs ascending
 * hello    := version:varint replica:ref flags:u8 (bit 0 interactive, bit 1 heard you)
 * summary  := flags:u8 [base:u64≠0] [vector] [indexed]   flags: bit 0 want whole, bit 1 reset,
 *             bit 2 base present (else whole), bit 3 vector present, bit 4 indexed present
 * ack      := flags:u8 [vector] [dictionary:u64≠0 indexed]  flags: bit 3 vector, bit 4 indexed
 * indexed  := n:varint≥1 n × (step:varint counter:varint≥1); the first step is the position,
 *             each later one the distance from the previous position (≥ 1)
 * deltas   := n:varint n × record, each written against the one before it ({@link RecordWire})
 * offer    := ranges
 * request  := (2n + p):varint n × range [tag:u8 indexed]   the indexed part, present iff p = 1,
 *             names origins by position in the receiver's dictionary, each counter the first
 *             seq wanted (up to all the receiver holds); tag: the low byte of its hash
 * ranges   := n:varint n × range
 * range    := origin:ref from:varint≥1 count:varint≥1
 * snapshot-offer := vector size:varint≥1 hash:32 chunk:varint≥1 n:varint n × hash:32
 *                   (n = ⌈size / chunk⌉)                                type 7
 * snapshot-fetch := hash:32 offset:varint                               type 8
 * snapshot-chunk := hash:32 offset:varint bytes:(len:varint, bytes)     type 9
 * ephemeral := seq:varint≥1 topic:(len, UTF-8) payload:(len, bytes)     type 10, no replicas
 *              ({@link EphemeralWire}; protocol version 5)
 * resend   := ranges                                                     type 11 (version 6)
 * prune    := ranges                                                     type 12 (version 7)
 * </pre>
 * Replica ids travel once per frame, so a batch of one feed's records pays eight bytes for the
 * origin however long it is, and each record after the first of its run a few bytes more than its
 * payload. Decoding checks every count against the bytes left and the limits
 * before allocating, and refuses trailing bytes.
 */
public final class MessageCodec {

  static final int HELLO = 1;
  static final int SUMMARY = 2;
  static final int ACK = 3;
  static final int DELTAS = 4;
  static final int OFFER = 5;
  static final int REQUEST = 6;
  static final int SNAPSHOT_OFFER = 7;
  static final int SNAPSHOT_FETCH = 8;
  static final int SNAPSHOT_CHUNK = 9;
  static final int EPHEMERAL = 10;
  static final int RESEND = 11;
  static final int PRUNE = 12;

  static final long MAX_SEQ = Long.MAX_VALUE / 2;

  private static final int HAS_BASE = 4;
  private static final int HAS_VECTOR = 8;
  private static final int HAS_INDEXED = 16;

  private MessageCodec() {}

  /** The name of a frame's kind, for metrics and the simulator's traffic counts. */
  public static String kindOf(ByteBuffer frame) {
    if (!frame.hasRemaining()) {
      return "empty";
    }
    return switch (frame.get(frame.position())) {
      case HELLO -> "hello";
      case SUMMARY -> "summary";
      case ACK -> "ack";
      case DELTAS -> "deltas";
      case OFFER -> "offer";
      case REQUEST -> "request";
      case SNAPSHOT_OFFER -> "snapshot-offer";
      case SNAPSHOT_FETCH -> "snapshot-fetch";
      case SNAPSHOT_CHUNK -> "snapshot-chunk";
      case EPHEMERAL -> "ephemeral";
      case RESEND -> "resend";
      case PRUNE -> "prune";
      default -> "unknown";
    };
  }

  public static ByteBuffer encode(Message m) {
    TreeSet<ReplicaId> ids = new TreeSet<>();
    collect(m, ids);
    Map<ReplicaId, Integer> refs = new HashMap<>();
    WireWriter w = new WireWriter();
    w.u8(type(m));
    w.varint(ids.size());
    for (ReplicaId id : ids) {
      refs.put(id, refs.size());
      w.u64(id.value());
    }
    if (m instanceof Hello h) {
      w.varint(h.version());
      w.varint(refs.get(h.replica()));
      w.u8((h.interactive() ? 1 : 0) | (h.heardYou() ? 2 : 0) | (h.relay() ? 4 : 0));
    } else if (m instanceof Summary s) {
      int flags = s.flags() | (s.isWhole() ? 0 : HAS_BASE) | present(s.vector(), s.indexed());
      w.u8(flags);
      if (!s.isWhole()) {
        w.u64(s.base());
      }
      patch(w, s.vector(), s.indexed(), refs, flags);
    } else if (m instanceof Ack a) {
      int flags = present(a.vector(), a.indexed());
      w.u8(flags);
      if ((flags & HAS_VECTOR) != 0) {
        vector(w, a.vector(), refs);
      }
      if ((flags & HAS_INDEXED) != 0) {
        w.u64(a.dictionary());
        indexed(w, a.indexed());
      }
    } else if (m instanceof Offer o) {
      ranges(w, o.ranges(), refs);
    } else if (m instanceof Resend r) {
      ranges(w, r.ranges(), refs);
    } else if (m instanceof Prune p) {
      ranges(w, p.ranges(), refs);
    } else if (m instanceof Request q) {
      // The count's low bit says whether positions follow, so no prefix of a request is one.
      w.varint((long) q.ranges().size() << 1 | (q.indexed().isEmpty() ? 0 : 1));
      rangeList(w, q.ranges(), refs);
      if (!q.indexed().isEmpty()) {
        w.u8(q.tag());
        indexed(w, q.indexed());
      }
    } else if (SnapshotWire.handles(m)) {
      SnapshotWire.encode(w, m, refs);
    } else if (m instanceof Message.Ephemeral e) {
      EphemeralWire.encode(w, e);
    } else {
      RecordWire.write(w, ((Deltas) m).records(), refs);
    }
    return w.toBuffer();
  }

  /**
   * Decodes one frame.
   *
   * @throws ProtocolException with the reason the frame is refused; nothing else is thrown
   */
  public static Message decode(ByteBuffer frame, ProtocolLimits limits) throws ProtocolException {
    if (frame.remaining() > limits.maxFrameBytes()) {
      throw new ProtocolException(Reason.LIMIT_EXCEEDED, "frame of " + frame.remaining()
          + " bytes above " + limits.maxFrameBytes());
    }
    WireReader in = new WireReader(frame.duplicate());
    try {
      int type = in.u8();
      if (type < HELLO || type > PRUNE) {
        throw new ProtocolException(Reason.UNKNOWN_TYPE, "message type " + type);
      }
      ReplicaId[] ids = replicas(in, limits);
      Message m;
      switch (type) {
        case HELLO -> {
          long version = in.varint();
          ReplicaId replica = ref(in, ids);
          int flags = in.u8();
          if ((flags & ~7) != 0) {
            throw new ProtocolException(Reason.MALFORMED, "unknown hello flags " + flags);
          }
          // A version beyond int range is simply unknown; it must never wrap into a known one.
          int v = version < 0 || version > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) version;
          m = new Hello(v, replica, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0);
        }
        case SUMMARY -> m = summary(in, ids, limits);
        case ACK -> m = ack(in, ids, limits);
        case DELTAS -> m = new Deltas(RecordWire.read(in, ids, limits));
        case OFFER -> m = new Offer(ranges(in, ids, limits));
        case RESEND -> m = new Resend(ranges(in, ids, limits));
        case PRUNE -> m = new Prune(ranges(in, ids, limits));
        case REQUEST -> m = request(in, ids, limits);
        case EPHEMERAL -> m = EphemeralWire.decode(in, ids);
        default -> m = SnapshotWire.decode(type, in, ids, limits);
      }
      if (in.remaining() != 0) {
        throw new ProtocolException(Reason.MALFORMED, in.remaining() + " trailing bytes");
      }
      return m;
    } catch (IllegalArgumentException | ArithmeticException e) {
      // A value the domain types refuse (a dot counter of 0, a reserved id): a lying peer.
      throw new ProtocolException(Reason.MALFORMED, e.getMessage(), e);
    }
  }

  private static int type(Message m) {
    if (m instanceof Hello) {
      return HELLO;
    } else if (m instanceof Summary) {
      return SUMMARY;
    } else if (m instanceof Ack) {
      return ACK;
    } else if (m instanceof Deltas) {
      return DELTAS;
    } else if (m instanceof Offer) {
      return OFFER;
    } else if (m instanceof Request) {
      return REQUEST;
    } else if (m instanceof Resend) {
      return RESEND;
    } else if (m instanceof Prune) {
      return PRUNE;
    } else if (m instanceof Message.Ephemeral) {
      return EPHEMERAL;
    }
    return SnapshotWire.type(m);
  }

  private static void collect(Message m, TreeSet<ReplicaId> ids) {
    if (m instanceof Hello h) {
      ids.add(h.replica());
    } else if (m instanceof Summary s) {
      ids.addAll(s.vector().asMap().keySet());
    } else if (m instanceof Ack a) {
      ids.addAll(a.vector().asMap().keySet());
    } else if (m instanceof Deltas d) {
      d.records().forEach(r -> {
        ids.add(r.origin());
        ids.addAll(r.deps().asMap().keySet());
      });
    } else if (m instanceof Offer o) {
      o.ranges().forEach(r -> ids.add(r.origin()));
    } else if (m instanceof Request q) {
      q.ranges().forEach(r -> ids.add(r.origin()));
    } else if (m instanceof Resend q) {
      q.ranges().forEach(r -> ids.add(r.origin()));
    } else if (m instanceof Prune q) {
      q.ranges().forEach(r -> ids.add(r.origin()));
    } else if (m instanceof Message.SnapshotOffer o) {
      ids.addAll(o.vector().asMap().keySet());
    }
  }

  static void vector(WireWriter w, VersionVector v, Map<ReplicaId, Integer> refs) {
    w.varint(v.size());
    for (int i = 0; i < v.size(); i++) {
      w.varint(refs.get(v.replicaAt(i)));
      w.varint(v.counterAt(i));
    }
  }

  private static int present(VersionVector v, IndexedEntries x) {
    return (v.isEmpty() ? 0 : HAS_VECTOR) | (x.isEmpty() ? 0 : HAS_INDEXED);
  }

  private static void patch(WireWriter w, VersionVector v, IndexedEntries x,
      Map<ReplicaId, Integer> refs, int flags) {
    if ((flags & HAS_VECTOR) != 0) {
      vector(w, v, refs);
    }
    if ((flags & HAS_INDEXED) != 0) {
      indexed(w, x);
    }
  }

  private static void indexed(WireWriter w, IndexedEntries x) {
    w.varint(x.size());
    int previous = 0;
    for (int i = 0; i < x.size(); i++) {
      w.varint(x.indexAt(i) - previous);
      w.varint(x.counterAt(i));
      previous = x.indexAt(i);
    }
  }

  private static void ranges(WireWriter w, List<Range> ranges, Map<ReplicaId, Integer> refs) {
    w.varint(ranges.size());
    rangeList(w, ranges, refs);
  }

  private static void rangeList(WireWriter w, List<Range> ranges, Map<ReplicaId, Integer> refs) {
    for (Range r : ranges) {
      w.varint(refs.get(r.origin()));
      w.varint(r.from());
      w.varint(r.count());
    }
  }

  private static ReplicaId[] replicas(WireReader in, ProtocolLimits limits)
      throws ProtocolException {
    int n = in.count(8, limits.maxEntries(), "replica table");
    ReplicaId[] ids = new ReplicaId[n];
    for (int i = 0; i < n; i++) {
      long v = in.u64();
      if (v == 0) {
        throw new ProtocolException(Reason.MALFORMED, "replica id 0");
      }
      if (i > 0 && Long.compareUnsigned(ids[i - 1].value(), v) >= 0) {
        throw new ProtocolException(Reason.MALFORMED, "replica table not ascending");
      }
      ids[i] = ReplicaId.of(v);
    }
    return ids;
  }

  static ReplicaId ref(WireReader in, ReplicaId[] ids) throws ProtocolException {
    long i = in.varint();
    if (i < 0 || i >= ids.length) {
      throw new ProtocolException(Reason.MALFORMED, "replica ref " + i + " of " + ids.length);
    }
    return ids[(int) i];
  }

  static VersionVector vector(WireReader in, ReplicaId[] ids, ProtocolLimits limits)
      throws ProtocolException {
    int n = in.count(2, limits.maxEntries(), "vector");
    long[] rs = new long[n];
    long[] cs = new long[n];
    ReplicaId previous = null;
    for (int i = 0; i < n; i++) {
      ReplicaId r = ref(in, ids);
      if (previous != null && previous.compareTo(r) >= 0) {
        throw new ProtocolException(Reason.MALFORMED, "vector entries not ascending");
      }
      previous = r;
      rs[i] = r.value();
      cs[i] = in.positive(MAX_SEQ, "counter");
    }
    return VersionVector.ofSorted(rs, cs);
  }

  private static Summary summary(WireReader in, ReplicaId[] ids, ProtocolLimits limits)
      throws ProtocolException {
    int flags = in.u8();
    if ((flags & ~(Summary.WANT_WHOLE | Summary.RESET | HAS_BASE | HAS_VECTOR | HAS_INDEXED))
        != 0) {
      throw new ProtocolException(Reason.MALFORMED, "unknown summary flags " + flags);
    }
    boolean resume = (flags & HAS_BASE) != 0;
    if ((flags & HAS_INDEXED) != 0 && !resume) {
      throw new ProtocolException(Reason.MALFORMED, "positions in a summary without a base");
    }
    if ((flags & Summary.WANT_WHOLE) != 0 && flags != Summary.WANT_WHOLE) {
      throw new ProtocolException(Reason.MALFORMED, "a request for the whole vector with more");
    }
    long base = resume ? nonZero(in, "base") : Summary.WHOLE;
    VersionVector v = (flags & HAS_VECTOR) != 0 ? present(vector(in, ids, limits))
        : VersionVector.empty();
    IndexedEntries x = (flags & HAS_INDEXED) != 0 ? indexed(in, limits) : IndexedEntries.NONE;
    return new Summary(base, v, x, flags & (Summary.WANT_WHOLE | Summary.RESET));
  }

  private static Ack ack(WireReader in, ReplicaId[] ids, ProtocolLimits limits)
      throws ProtocolException {
    int flags = in.u8();
    if ((flags & ~(HAS_VECTOR | HAS_INDEXED)) != 0) {
      throw new ProtocolException(Reason.MALFORMED, "unknown ack flags " + flags);
    }
    VersionVector v = (flags & HAS_VECTOR) != 0 ? present(vector(in, ids, limits))
        : VersionVector.empty();
    if ((flags & HAS_INDEXED) == 0) {
      return new Ack(v);
    }
    long dictionary = nonZero(in, "dictionary");
    return new Ack(v, dictionary, indexed(in, limits));
  }

  /** A part a flag says is present is not empty: one encoding per message. */
  private static VersionVector present(VersionVector v) throws ProtocolException {
    if (v.isEmpty()) {
      throw new ProtocolException(Reason.MALFORMED, "flagged vector is empty");
    }
    return v;
  }

  private static long nonZero(WireReader in, String what) throws ProtocolException {
    long h = in.u64();
    if (h == Summary.WHOLE) {
      throw new ProtocolException(Reason.MALFORMED, what + " hash 0");
    }
    return h;
  }

  private static IndexedEntries indexed(WireReader in, ProtocolLimits limits)
      throws ProtocolException {
    int n = in.count(2, limits.maxEntries(), "indexed entries");
    if (n == 0) {
      throw new ProtocolException(Reason.MALFORMED, "flagged positions are empty");
    }
    int[] at = new int[n];
    long[] counters = new long[n];
    long position = 0;
    for (int i = 0; i < n; i++) {
      long step = in.varint();
      if (i > 0 && step == 0) {
        throw new ProtocolException(Reason.MALFORMED, "positions do not ascend");
      }
      position += step;
      if (step < 0 || step >= limits.maxEntries() || position >= limits.maxEntries()) {
        throw new ProtocolException(Reason.LIMIT_EXCEEDED, "position beyond "
            + limits.maxEntries() + " entries");
      }
      at[i] = (int) position;
      counters[i] = in.positive(MAX_SEQ, "counter");
    }
    return IndexedEntries.of(at, counters);
  }

  private static Request request(WireReader in, ReplicaId[] ids, ProtocolLimits limits)
      throws ProtocolException {
    long head = in.varint();
    if (head < 0 || head >>> 1 > limits.maxEntries()) {
      throw new ProtocolException(Reason.LIMIT_EXCEEDED, "ranges count "
          + Long.toUnsignedString(head >>> 1) + " above " + limits.maxEntries());
    }
    List<Range> spelled = rangeList(in, ids, in.checkedCount(head >>> 1, 3, "ranges"));
    if ((head & 1) == 0) {
      return new Request(spelled);
    }
    int tag = in.u8();
    return new Request(spelled, tag, indexed(in, limits));
  }

  private static List<Range> ranges(WireReader in, ReplicaId[] ids, ProtocolLimits limits)
      throws ProtocolException {
    return rangeList(in, ids, in.count(3, limits.maxEntries(), "ranges"));
  }

  private static List<Range> rangeList(WireReader in, ReplicaId[] ids, int n)
      throws ProtocolException {
    List<Range> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ReplicaId origin = ref(in, ids);
      long from = in.positive(MAX_SEQ, "range start");
      long count = in.positive(MAX_SEQ, "range length");
      out.add(new Range(origin, from, from + count - 1));
    }
    return out;
  }
}
