package io.tandem.replication.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.tandem.crdt.Hlc;
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
import io.tandem.replication.protocol.Message.SnapshotChunk;
import io.tandem.replication.protocol.Message.SnapshotFetch;
import io.tandem.replication.protocol.Message.SnapshotOffer;
import io.tandem.replication.protocol.Message.Summary;
import io.tandem.replication.protocol.ProtocolException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * The wire form of every sync message: what is encoded decodes to an equal message, and any other
 * bytes decode or throw {@link ProtocolException}, never anything else, and are refused before the
 * decoder allocates for counts the frame cannot hold (Yjs {@code limits.tests.js}, automerge#498).
 */
class MessageCodecTest {

  private static final int EXAMPLES = Integer.getInteger("tandem.examples", 1000);
  private static final long MAX_SEQ = Long.MAX_VALUE / 2;
  private static final HexFormat HEX = HexFormat.of();

  private static final ReplicaId A = ReplicaId.of(0x0a);
  private static final ReplicaId B = ReplicaId.of(0x0b);

  // ---- round trip ----

  @Test
  void everyMessageRoundTrips() {
    qt().withExamples(EXAMPLES).forAll(messages()).checkAssert(m -> {
      ByteBuffer frame = MessageCodec.encode(m);
      byte[] bytes = bytes(frame);
      Message back = decode(bytes);
      assertThat(back).isEqualTo(m);
      assertThat(bytes(MessageCodec.encode(back))).as("encoding is canonical").isEqualTo(bytes);
    });
  }

  @Test
  void everyMessageTypeRoundTripsAtItsEdges() throws ProtocolException {
    ReplicaId low = ReplicaId.of(1);
    ReplicaId signed = ReplicaId.of(Long.MIN_VALUE); // largest unsigned half, first negative
    ReplicaId high = ReplicaId.of(-1);
    String name = "é".repeat(127) + "x"; // 255 UTF-8 bytes
    DeltaRecord edge = new DeltaRecord(high, MAX_SEQ,
        VersionVector.of(low, MAX_SEQ).with(signed, 1), new Hlc(Hlc.MAX_WALL_MILLIS,
            Integer.MAX_VALUE, high), name, new byte[300]);
    DeltaRecord small = new DeltaRecord(low, 1, VersionVector.empty(), new Hlc(0, 0, low),
        "日本語 🗒", new byte[0]);
    List<Message> messages = List.of(
        new Hello(Message.VERSION, high, true, true),
        new Hello(Message.VERSION, high, false, true, true),
        new Hello(0, low, false, false),
        new Hello(Integer.MAX_VALUE, signed, true, false),
        new Summary(VersionVector.empty()),
        new Summary(VersionVector.of(low, 127).with(signed, 128).with(high, MAX_SEQ)),
        new Ack(VersionVector.of(high, 16_384)),
        new Summary(-1, VersionVector.empty(), IndexedEntries.NONE, 0),
        new Summary(Long.MIN_VALUE, VersionVector.of(signed, 1),
            IndexedEntries.of(new int[] {0, 127, 128, 99_999}, new long[] {1, 2, MAX_SEQ, 7}), 0),
        new Summary(Summary.WHOLE, VersionVector.of(low, 3), IndexedEntries.NONE, Summary.RESET),
        Summary.wantWhole(),
        new Ack(VersionVector.empty(), 42, IndexedEntries.of(new int[] {5}, new long[] {1})),
        new Deltas(List.of()),
        new Deltas(List.of(edge, small)),
        new Offer(List.of(new Range(low, 1, 1), new Range(high, MAX_SEQ, 2 * MAX_SEQ - 1))),
        new Request(List.of()),
        new Request(List.of(new Range(signed, 5, 9), new Range(signed, 2, 3))),
        new Request(List.of(), 255, IndexedEntries.of(new int[] {0, 99_999},
            new long[] {1, MAX_SEQ})),
        new Request(List.of(new Range(low, 1, 1)), 0, IndexedEntries.of(new int[] {3},
            new long[] {2})),
        new Resend(List.of()),
        new Resend(List.of(new Range(high, MAX_SEQ, MAX_SEQ), new Range(low, 1, 3))),
        new Prune(List.of()),
        new Prune(List.of(new Range(signed, 1, MAX_SEQ), new Range(low, 7, 7))));
    for (Message m : messages) {
      assertThat(MessageCodec.decode(MessageCodec.encode(m), ProtocolLimits.DEFAULT))
          .as("%s", m).isEqualTo(m);
    }
  }

  /** What a reconnect with nothing changed costs on the wire, a hello and a hash each way. */
  @Test
  void resumeSummaryWithNothingChangedIsElevenBytesAndAHelloThirteen() {
    assertThat(MessageCodec.encode(new Summary(0x0123_4567_89ab_cdefL, VersionVector.empty(),
        IndexedEntries.NONE, 0)).remaining()).isEqualTo(11);
    assertThat(MessageCodec.encode(new Hello(Message.VERSION, A, false, true)).remaining())
        .isEqualTo(13);
    // One changed feed among thousands: position 9,000 and counter 5 take three bytes.
    assertThat(MessageCodec.encode(new Summary(7, VersionVector.empty(),
        IndexedEntries.of(new int[] {9_000}, new long[] {5}), 0)).remaining()).isEqualTo(15);
  }

  /**
   * A run of one feed, as a replica sends what a peer lacks: after the first record, each costs
   * its flags, two bytes of wall difference, its logical counter and its payload's length on top
   * of the payload, which a replica writes without its author's id (BinaryCodec v2's
   * {@code encode(delta, origin)}: the record names the author).
   */
  @Test
  void aRunOfOneFeedCostsAFewBytesARecordBeyondItsPayload() throws Exception {
    List<DeltaRecord> run = new ArrayList<>();
    int payloads = 0;
    for (int k = 1; k <= 10; k++) {
      byte[] payload = io.tandem.crdt.codec.BinaryCodec.encode(io.tandem.crdt.OrSet.<String>empty()
          .add(A, "message " + k + " " + "x".repeat(130)), A);
      assertThat(RecordWire.elidable(payload, A)).as("nothing left to elide").isFalse();
      run.add(new DeltaRecord(A, 100 + k, VersionVector.empty(),
          new Hlc(1_763_900_000_000L + 5_000L * k, 0, A), "chat", payload));
      // each record: flags, wall difference (2), logical, payload length (a varint), payload
      payloads += 1 + 2 + 1 + (payload.length < 128 ? 1 : 2) + payload.length;
    }
    byte[] frame = bytes(MessageCodec.encode(new Deltas(run)));
    assertThat(decode(frame)).isEqualTo(new Deltas(run));
    // type, table of A, count; what the first record spells beyond the others: ref, seq, four
    // more bytes of absolute wall, name
    int first = 1 + 9 + 1 + (1 + 1 + 4 + 5);
    assertThat(frame.length).isEqualTo(first + payloads);
  }

  /**
   * A payload in BinaryCodec's first format, whose replica table is just its author (bytes
   * 2..10: a count of one and the author's id), as stores written before format v2 still hold
   * and relay: the nine bytes are left out on the wire and put back exactly.
   */
  @Test
  void anOldPayloadNamingOnlyItsAuthorTravelsNineBytesShorterAndArrivesWhole()
      throws Exception {
    long id = A.value();
    byte[] payload = new byte[40];
    payload[0] = 1;
    payload[1] = 7;
    payload[2] = 1;
    for (int i = 0; i < 8; i++) {
      payload[3 + i] = (byte) (id >>> (56 - 8 * i));
    }
    for (int i = 11; i < payload.length; i++) {
      payload[i] = (byte) i;
    }
    assertThat(RecordWire.elidable(payload, A)).isTrue();
    DeltaRecord r = new DeltaRecord(A, 5, VersionVector.empty(),
        new Hlc(1_763_900_000_000L, 0, A), "chat", payload);
    byte[] other = payload.clone();
    other[2] = 2; // a table of two: not elidable, same length
    DeltaRecord plain = new DeltaRecord(A, 5, VersionVector.empty(),
        new Hlc(1_763_900_000_000L, 0, A), "chat", other);
    byte[] elided = bytes(MessageCodec.encode(new Deltas(List.of(r))));
    byte[] whole = bytes(MessageCodec.encode(new Deltas(List.of(plain))));
    assertThat(decode(elided)).isEqualTo(new Deltas(List.of(r)));
    assertThat(whole.length - elided.length).isEqualTo(9);
  }

  /**
   * A request answering a summary names a changed feed by its position in the peer's
   * dictionary, with the first seq it wants: seven bytes for one feed, three more a feed.
   */
  @Test
  void requestByPositionIsSevenBytesForOneFeed() {
    assertThat(MessageCodec.encode(new Request(List.of(), 0x5a,
        IndexedEntries.of(new int[] {3}, new long[] {2}))).remaining()).isEqualTo(7);
    assertThat(MessageCodec.encode(new Request(List.of(), 0x5a,
        IndexedEntries.of(new int[] {3, 4, 90}, new long[] {2, 7, 100}))).remaining())
        .isEqualTo(11);
  }

  /** Each record has one encoding: a frame that could say it shorter is refused. */
  @Test
  void recordsWrittenLongerThanTheirShortestFormAreMalformed() {
    // A#1 then A#2 spelled in full where NEXT says it.
    WireWriter spelled = deltasHeader();
    varints(spelled, 2, 0, 0, 1, 5, 0);
    spelled.bytes(new byte[] {'o'});
    spelled.bytes(new byte[] {1});
    varints(spelled, RecordWire.SAME_OBJECT, 0, 2, 0, 0);
    spelled.bytes(new byte[] {1});
    assertThat(reason(bytes(spelled.toBuffer()))).isEqualTo(Reason.MALFORMED);
    // A#1 then A#2, its object name repeated where SAME_OBJECT says it.
    WireWriter named = deltasHeader();
    varints(named, 2, 0, 0, 1, 5, 0);
    named.bytes(new byte[] {'o'});
    named.bytes(new byte[] {1});
    varints(named, RecordWire.NEXT, 0, 0);
    named.bytes(new byte[] {'o'});
    named.bytes(new byte[] {1});
    assertThat(reason(bytes(named.toBuffer()))).isEqualTo(Reason.MALFORMED);
    // A payload carrying its author's table, not elided.
    WireWriter whole = deltasHeader();
    varints(whole, 1, 0, 0, 1, 5, 0);
    whole.bytes(new byte[] {'o'});
    whole.bytes(withAuthor(new byte[] {7}, A));
    assertThat(reason(bytes(whole.toBuffer()))).isEqualTo(Reason.MALFORMED);
    // Deps flagged but empty; an elided payload too short to have had a head; unknown flags.
    for (int[] bad : new int[][] {{RecordWire.DEPS, 0}, {RecordWire.ELIDED, 1}, {0x10, 1}}) {
      WireWriter w = deltasHeader();
      varints(w, 1, bad[0], 0, 1);
      if ((bad[0] & RecordWire.DEPS) != 0) {
        w.varint(0);
      }
      varints(w, 5, 0);
      w.bytes(new byte[] {'o'});
      w.bytes(new byte[bad[1]]);
      assertThat(reason(bytes(w.toBuffer()))).as("flags %d", bad[0]).isEqualTo(Reason.MALFORMED);
    }
  }

  /** The elided table is put back exactly, whatever follows it, and only for the author. */
  @Test
  void elidedPayloadsComeBackByteForByte() throws ProtocolException {
    byte[] payload = withAuthor(new byte[] {9, 8, 7}, B);
    DeltaRecord byB = new DeltaRecord(B, 1, VersionVector.empty(), new Hlc(5, 0, B), "o",
        payload);
    DeltaRecord byA = new DeltaRecord(A, 1, VersionVector.empty(), new Hlc(5, 0, A), "o",
        payload);
    ByteBuffer elided = MessageCodec.encode(new Deltas(List.of(byB)));
    ByteBuffer kept = MessageCodec.encode(new Deltas(List.of(byA)));
    assertThat(kept.remaining() - elided.remaining()).isEqualTo(9);
    assertThat(((Deltas) MessageCodec.decode(elided, ProtocolLimits.DEFAULT)).records().get(0)
        .payload()).isEqualTo(payload);
    assertThat(((Deltas) MessageCodec.decode(kept, ProtocolLimits.DEFAULT)).records().get(0)
        .payload()).isEqualTo(payload);
  }

  // ---- kindOf ----

  @Test
  void kindOfNamesEveryTypeWithoutConsumingTheFrame() {
    Map<Message, String> kinds = new LinkedHashMap<>();
    kinds.put(new Hello(Message.VERSION, A, false, false), "hello");
    kinds.put(new Summary(VersionVector.of(A, 1)), "summary");
    kinds.put(new Ack(VersionVector.of(A, 1)), "ack");
    kinds.put(new Deltas(List.of(record(A, 1))), "deltas");
    kinds.put(new Offer(List.of(new Range(A, 1, 2))), "offer");
    kinds.put(new Request(List.of(new Range(A, 1, 2))), "request");
    kinds.put(new Resend(List.of(new Range(A, 1, 2))), "resend");
    kinds.put(new Prune(List.of(new Range(A, 1, 2))), "prune");
    kinds.forEach((m, kind) -> {
      ByteBuffer frame = MessageCodec.encode(m);
      int position = frame.position();
      assertThat(MessageCodec.kindOf(frame)).isEqualTo(kind);
      assertThat(frame.position()).isEqualTo(position);
    });
    assertThat(MessageCodec.kindOf(ByteBuffer.allocate(0))).isEqualTo("empty");
    assertThat(MessageCodec.kindOf(ByteBuffer.wrap(new byte[] {0}))).isEqualTo("unknown");
    assertThat(MessageCodec.kindOf(ByteBuffer.wrap(new byte[] {7}))).isEqualTo("snapshot-offer");
    assertThat(MessageCodec.kindOf(ByteBuffer.wrap(new byte[] {8}))).isEqualTo("snapshot-fetch");
    assertThat(MessageCodec.kindOf(ByteBuffer.wrap(new byte[] {9}))).isEqualTo("snapshot-chunk");
    assertThat(MessageCodec.kindOf(ByteBuffer.wrap(new byte[] {10}))).isEqualTo("ephemeral");
    assertThat(MessageCodec.kindOf(ByteBuffer.wrap(new byte[] {11}))).isEqualTo("resend");
    assertThat(MessageCodec.kindOf(ByteBuffer.wrap(new byte[] {12}))).isEqualTo("prune");
    assertThat(MessageCodec.kindOf(ByteBuffer.wrap(new byte[] {13}))).isEqualTo("unknown");
    assertThat(MessageCodec.kindOf(ByteBuffer.wrap(new byte[] {(byte) 0xff})))
        .isEqualTo("unknown");
    // A frame read from the middle of a buffer is judged by its own first byte.
    ByteBuffer offset = ByteBuffer.wrap(new byte[] {9, 9, 4, 0, 0});
    offset.position(2);
    assertThat(MessageCodec.kindOf(offset)).isEqualTo("deltas");
  }

  // ---- any bytes ----

  @Test
  void mutatedFramesDecodeOrThrowProtocolException() {
    qt().withExamples(EXAMPLES).forAll(messages(), longs().all()).checkAssert((m, seed) -> {
      byte[] valid = bytes(MessageCodec.encode(m));
      Random r = new Random(seed);
      for (int i : positions(valid.length, r)) {
        byte[] flipped = valid.clone();
        flipped[i] ^= (byte) (1 << r.nextInt(8));
        assertDecodesOrThrowsProtocolException(flipped);
        byte[] replaced = valid.clone();
        replaced[i] = (byte) r.nextInt(256);
        assertDecodesOrThrowsProtocolException(replaced);
      }
      for (int i = 0; i < 20; i++) {
        assertDecodesOrThrowsProtocolException(mutate(valid, r));
      }
    });
  }

  @Test
  void everyStrictPrefixOfAFrameIsTruncated() {
    qt().withExamples(EXAMPLES).forAll(messages()).checkAssert(m -> {
      byte[] valid = bytes(MessageCodec.encode(m));
      for (int len : positions(valid.length, new Random(valid.length))) {
        assertThat(reason(Arrays.copyOf(valid, len))).as("prefix of %d bytes of %s", len,
            HEX.formatHex(valid)).isEqualTo(Reason.TRUNCATED);
      }
    });
  }

  @Test
  void randomBytesDecodeOrThrowProtocolException() {
    qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      byte[] junk = new byte[r.nextInt(64)];
      r.nextBytes(junk);
      if (junk.length > 0) {
        junk[0] = (byte) (1 + r.nextInt(6)); // mostly a known type, so the body gets parsed
      }
      assertDecodesOrThrowsProtocolException(junk);
    });
  }

  // ---- lying counts and lengths ----

  @Test
  void countOfTwoToTheFortyRecordsInTwentyBytesIsRefusedAtOnce() {
    WireWriter w = deltasHeader();
    w.varint(1L << 40);
    byte[] frame = padTo(w, 20);
    assertThat(frame).hasSize(20);

    assertThat(reason(frame)).isIn(Reason.TRUNCATED, Reason.LIMIT_EXCEEDED);
    assertFast(frame);
  }

  @Test
  void countsAboveTheBytesLeftAreTruncatedEvenUnderGenerousLimits() {
    ProtocolLimits generous = new ProtocolLimits(Integer.MAX_VALUE, Integer.MAX_VALUE,
        Integer.MAX_VALUE);
    WireWriter records = deltasHeader();
    records.varint(Integer.MAX_VALUE);
    WireWriter table = new WireWriter();
    table.u8(MessageCodec.SUMMARY);
    table.varint(Integer.MAX_VALUE);
    WireWriter vector = summaryHeader();
    vector.varint(Integer.MAX_VALUE);
    WireWriter ranges = new WireWriter();
    ranges.u8(MessageCodec.REQUEST);
    ranges.varint(1);
    ranges.u64(A.value());
    ranges.varint(Integer.MAX_VALUE);
    for (WireWriter w : List.of(records, table, vector, ranges)) {
      byte[] frame = padTo(w, 20);
      assertThat(reason(frame, generous)).as(HEX.formatHex(frame)).isEqualTo(Reason.TRUNCATED);
      assertThat(reason(frame)).as(HEX.formatHex(frame))
          .isIn(Reason.TRUNCATED, Reason.LIMIT_EXCEEDED);
      assertFast(frame);
    }
  }

  @Test
  void countsWithinTheLimitButBeyondTheFrameAreTruncated() {
    WireWriter w = deltasHeader();
    w.varint(ProtocolLimits.DEFAULT.maxRecords());
    assertThat(reason(padTo(w, 20))).isEqualTo(Reason.TRUNCATED);
  }

  @Test
  void countsAboveTheLimitsAreLimitExceeded() {
    ProtocolLimits tight = new ProtocolLimits(1 << 20, 2, 3);
    Message manyRecords = new Deltas(List.of(record(A, 1), record(A, 2), record(A, 3)));
    Message manyEntries = new Summary(VersionVector.of(A, 1).with(B, 1)
        .with(ReplicaId.of(3), 1).with(ReplicaId.of(4), 1));
    Message manyRanges = new Offer(List.of(new Range(A, 1, 1), new Range(A, 3, 3),
        new Range(A, 5, 5), new Range(A, 7, 7)));
    for (Message m : List.of(manyRecords, manyEntries, manyRanges)) {
      assertThat(reason(bytes(MessageCodec.encode(m)), tight)).as("%s", m)
          .isEqualTo(Reason.LIMIT_EXCEEDED);
    }
  }

  @Test
  void payloadLengthAboveTheFrameLimitIsRefusedBeforeAllocation() {
    WireWriter w = deltasHeader();
    varints(w, 1, 0, 0, 1, 1, 0); // one record: flags, origin, seq, wall, logical
    w.bytes("x".getBytes(StandardCharsets.UTF_8));
    w.varint(0xffff_ffffL); // payload length
    byte[] frame = bytes(w.toBuffer());
    assertThat(reason(frame)).isEqualTo(Reason.LIMIT_EXCEEDED);
    assertFast(frame);
  }

  @Test
  void frameAboveMaxFrameBytesIsRefusedBeforeParsing() {
    ProtocolLimits small = new ProtocolLimits(64, 10, 10);
    byte[] justFits = new byte[64];
    justFits[0] = 42; // an unknown type: parsing it would say so
    byte[] tooBig = new byte[65];
    tooBig[0] = 42;
    assertThat(reason(justFits, small)).isEqualTo(Reason.UNKNOWN_TYPE);
    assertThat(reason(tooBig, small)).isEqualTo(Reason.LIMIT_EXCEEDED);

    byte[] aboveDefault = new byte[ProtocolLimits.DEFAULT.maxFrameBytes() + 1];
    aboveDefault[0] = MessageCodec.DELTAS;
    assertThat(reason(aboveDefault)).isEqualTo(Reason.LIMIT_EXCEEDED);
  }

  /**
   * A summary with a quarter of the entries the default limits allow decodes in linear time: any
   * peer may send one, and the replica decodes frames while holding its lock.
   */
  @Test
  void largeVectorDecodesInLinearTime() throws ProtocolException {
    int n = ProtocolLimits.DEFAULT.maxEntries() / 4;
    WireWriter w = new WireWriter();
    w.u8(MessageCodec.SUMMARY);
    w.varint(n);
    for (int i = 1; i <= n; i++) {
      w.u64(i);
    }
    w.u8(8); // flags: a vector
    w.varint(n);
    for (int i = 0; i < n; i++) {
      varints(w, i, 1); // ref i: counter 1
    }
    ByteBuffer frame = w.toBuffer();
    assertThat(frame.remaining()).isLessThan(ProtocolLimits.DEFAULT.maxFrameBytes());
    MessageCodec.decode(smallVector(), ProtocolLimits.DEFAULT); // load the classes

    long start = System.nanoTime();
    Message m = MessageCodec.decode(frame, ProtocolLimits.DEFAULT);
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(((Summary) m).vector().size()).isEqualTo(n);
    assertThat(millis).as("milliseconds to decode a summary of %d entries", n)
        .isLessThan(250);
  }

  private static ByteBuffer smallVector() {
    return MessageCodec.encode(new Summary(VersionVector.of(A, 1).with(B, 2)));
  }

  // ---- malformed ----

  @Test
  void varintLongerThanTenBytesIsMalformed() {
    WireWriter w = summaryHeader();
    varints(w, 1, 0);
    for (int i = 0; i < 11; i++) {
      w.u8(0xff);
    }
    w.u8(0x01);
    assertThat(reason(bytes(w.toBuffer()))).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void varintOverflowingSixtyFourBitsIsMalformed() {
    WireWriter w = summaryHeader();
    varints(w, 1, 0);
    for (int i = 0; i < 9; i++) {
      w.u8(0xff);
    }
    w.u8(0x02); // bit 64: no room for it
    assertThat(reason(bytes(w.toBuffer()))).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void unknownTypeIsRefused() {
    for (int type : new int[] {0, 13, 42, 255}) {
      assertThat(reason(new byte[] {(byte) type, 0})).as("type %d", type)
          .isEqualTo(Reason.UNKNOWN_TYPE);
    }
  }

  @Test
  void trailingBytesAreMalformed() {
    qt().withExamples(EXAMPLES / 4).forAll(messages(), Generate.range(1, 8))
        .checkAssert((m, extra) -> {
          byte[] valid = bytes(MessageCodec.encode(m));
          byte[] longer = Arrays.copyOf(valid, valid.length + extra);
          assertThat(reason(longer)).isEqualTo(Reason.MALFORMED);
        });
  }

  @Test
  void replicaTableNotAscendingAsUnsignedIsMalformed() throws ProtocolException {
    ReplicaId positive = ReplicaId.of(Long.MAX_VALUE);
    ReplicaId negative = ReplicaId.of(Long.MIN_VALUE); // above every positive id, unsigned
    assertThat(MessageCodec.decode(ByteBuffer.wrap(table(positive.value(), negative.value())),
        ProtocolLimits.DEFAULT)).isEqualTo(new Summary(VersionVector.empty()));
    assertThat(reason(table(negative.value(), positive.value()))).isEqualTo(Reason.MALFORMED);
    assertThat(reason(table(B.value(), A.value()))).isEqualTo(Reason.MALFORMED);
    assertThat(reason(table(A.value(), A.value()))).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void replicaRefOutOfRangeIsMalformed() {
    for (long ref : new long[] {1, 2, 1L << 40, -1}) {
      WireWriter w = summaryHeader();
      varints(w, 1, ref, 1);
      assertThat(reason(bytes(w.toBuffer()))).as("ref %d", ref).isEqualTo(Reason.MALFORMED);
    }
  }

  @Test
  void zeroReplicaIdIsMalformed() {
    WireWriter w = new WireWriter();
    w.u8(MessageCodec.HELLO);
    w.varint(1);
    w.u64(0);
    varints(w, Message.VERSION, 0);
    w.u8(0);
    assertThat(reason(bytes(w.toBuffer()))).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void objectNameThatIsNotUtf8IsMalformed() {
    byte[][] names = {
        {(byte) 0xc3, 0x28}, // a lead byte without its continuation
        {(byte) 0xc0, (byte) 0xaf}, // an overlong '/'
        {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, // a lone surrogate
        {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // beyond U+10FFFF
        {'o', (byte) 0xff}};
    for (byte[] name : names) {
      assertThat(reason(deltaWithName(name))).as(HEX.formatHex(name))
          .isEqualTo(Reason.MALFORMED);
    }
  }

  @Test
  void emptyOrOverlongObjectNameIsRefused() {
    assertThat(reason(deltaWithName(new byte[0]))).isEqualTo(Reason.MALFORMED);
    byte[] overlong = new byte[DeltaRecord.MAX_OBJECT_NAME_BYTES + 1];
    Arrays.fill(overlong, (byte) 'a');
    assertThat(reason(deltaWithName(overlong))).isEqualTo(Reason.LIMIT_EXCEEDED);
  }

  @Test
  void vectorEntriesMustAscendAndCountFromOne() {
    WireWriter descending = new WireWriter();
    descending.u8(MessageCodec.ACK);
    descending.varint(2);
    descending.u64(A.value());
    descending.u64(B.value());
    descending.u8(8);
    varints(descending, 2, 1, 5, 0, 5);
    assertThat(reason(bytes(descending.toBuffer()))).isEqualTo(Reason.MALFORMED);

    WireWriter zero = summaryHeader();
    varints(zero, 1, 0, 0);
    assertThat(reason(bytes(zero.toBuffer()))).isEqualTo(Reason.MALFORMED);

    WireWriter huge = summaryHeader();
    varints(huge, 1, 0, MAX_SEQ + 1);
    assertThat(reason(bytes(huge.toBuffer()))).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void recordDependingOnItsOwnFeedIsAViolation() {
    WireWriter w = deltasHeader();
    varints(w, 1, RecordWire.DEPS, 0, 2); // one record, flagged with deps: A#2
    varints(w, 1, 0, 1); // deps: A=1, its own feed
    varints(w, 1, 0); // hlc
    w.bytes(new byte[] {'o'});
    w.bytes(new byte[] {1});
    assertThat(reason(bytes(w.toBuffer()))).isEqualTo(Reason.VIOLATION);
  }

  @Test
  void helloWithUnknownFlagsIsMalformed() {
    WireWriter w = new WireWriter();
    w.u8(MessageCodec.HELLO);
    w.varint(1);
    w.u64(A.value());
    varints(w, Message.VERSION, 0);
    w.u8(8); // 1 interactive, 2 heard you, 4 relay; 8 is unknown
    assertThat(reason(bytes(w.toBuffer()))).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void hlcOutsideItsRangeIsMalformed() {
    for (long[] hlc : new long[][] {{-1, 0}, {1, 1L << 31}, {1, -1}, {(1L << 62) + 1, 0}}) {
      WireWriter w = deltasHeader();
      varints(w, 1, 0, 0, 1, hlc[0], hlc[1]);
      w.bytes(new byte[] {'o'});
      w.bytes(new byte[] {1});
      assertThat(reason(bytes(w.toBuffer()))).as("hlc %d.%d", hlc[0], hlc[1])
          .isEqualTo(Reason.MALFORMED);
    }
  }

  /**
   * A version on the wire that does not fit an int must not come out as a version this build
   * speaks: a hello of version 2^63 + 1 is no version-1 hello.
   */
  @Test
  void helloVersionBeyondIntRangeNeverDecodesAsASupportedVersion() {
    long[] versions = {1L << 31, (1L << 32) + 1, Long.MIN_VALUE + 1, 0xffff_ffff_0000_0001L, -1};
    for (long version : versions) {
      WireWriter w = new WireWriter();
      w.u8(MessageCodec.HELLO);
      w.varint(1);
      w.u64(A.value());
      varints(w, version, 0);
      w.u8(0);
      byte[] frame = bytes(w.toBuffer());
      Message m;
      try {
        m = MessageCodec.decode(ByteBuffer.wrap(frame), ProtocolLimits.DEFAULT);
      } catch (ProtocolException refused) {
        continue;
      }
      assertThat(((Hello) m).version()).as("wire version %s", Long.toUnsignedString(version))
          .isNotEqualTo(Message.VERSION);
    }
  }

  // ---- hostile inputs kept as files ----

  private static final Map<String, Reason> HOSTILE = Map.ofEntries(
      Map.entry("empty.bin", Reason.TRUNCATED),
      Map.entry("frame-length-overflow.bin", Reason.LIMIT_EXCEEDED),
      Map.entry("count-overflow.bin", Reason.LIMIT_EXCEEDED),
      Map.entry("count-lies.bin", Reason.TRUNCATED),
      Map.entry("replica-table-overflow.bin", Reason.LIMIT_EXCEEDED),
      Map.entry("varint-overflow.bin", Reason.MALFORMED),
      Map.entry("varint-too-long.bin", Reason.MALFORMED),
      Map.entry("unknown-type.bin", Reason.UNKNOWN_TYPE),
      Map.entry("trailing-bytes.bin", Reason.MALFORMED),
      Map.entry("replica-table-not-ascending.bin", Reason.MALFORMED),
      Map.entry("ref-out-of-range.bin", Reason.MALFORMED),
      Map.entry("zero-replica-id.bin", Reason.MALFORMED),
      Map.entry("bad-utf8-object-name.bin", Reason.MALFORMED),
      Map.entry("hello-unknown-flags.bin", Reason.MALFORMED),
      Map.entry("summary-unknown-flags.bin", Reason.MALFORMED),
      Map.entry("positions-without-base.bin", Reason.MALFORMED),
      Map.entry("position-beyond-limit.bin", Reason.LIMIT_EXCEEDED),
      Map.entry("ack-dictionary-zero.bin", Reason.MALFORMED),
      Map.entry("want-whole-with-vector.bin", Reason.MALFORMED),
      Map.entry("resend-empty-range.bin", Reason.MALFORMED),
      Map.entry("prune-empty-range.bin", Reason.MALFORMED),
      Map.entry("next-on-first-record.bin", Reason.MALFORMED),
      Map.entry("wall-below-zero.bin", Reason.MALFORMED),
      Map.entry("self-dependency.bin", Reason.VIOLATION),
      Map.entry("ephemeral-topic-overflow.bin", Reason.LIMIT_EXCEEDED),
      Map.entry("ephemeral-payload-overflow.bin", Reason.LIMIT_EXCEEDED),
      Map.entry("ephemeral-payload-truncated.bin", Reason.TRUNCATED),
      Map.entry("ephemeral-empty-topic.bin", Reason.MALFORMED),
      Map.entry("ephemeral-with-replicas.bin", Reason.MALFORMED),
      Map.entry("ephemeral-seq-zero.bin", Reason.MALFORMED));

  @Test
  void everyHostileFileIsRefusedWithItsReason() throws IOException {
    for (Map.Entry<String, Reason> e : new TreeMap<>(HOSTILE).entrySet()) {
      byte[] frame = resource("hostile/" + e.getKey());
      assertThat(reason(frame)).as(e.getKey()).isEqualTo(e.getValue());
      assertFast(frame);
    }
  }

  @Test
  void everyHostileFileHasAnExpectedReason() throws IOException, URISyntaxException {
    Path dir = Path.of(MessageCodecTest.class.getClassLoader().getResource("hostile").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".bin"))
          .toList()).containsExactlyInAnyOrderElementsOf(HOSTILE.keySet());
    }
  }

  // ---- generators ----

  private static final List<ReplicaId> AWKWARD_IDS = List.of(ReplicaId.of(1), ReplicaId.of(2),
      ReplicaId.of(Long.MAX_VALUE), ReplicaId.of(Long.MIN_VALUE), ReplicaId.of(-1),
      ReplicaId.of(0x1234_5678_9abc_def0L));

  private static final List<String> AWKWARD_NAMES = List.of("notes", "a", "ä", "日本語",
      "📝 drafts", "\u0000", "é".repeat(127) + "x", "\uD83D\uDE00".repeat(63) + "abc");

  static Gen<ReplicaId> replicaIds() {
    Gen<ReplicaId> any = longs().all().map(v -> ReplicaId.of(v == 0 ? 1 : v));
    return Generate.pick(AWKWARD_IDS).mix(any);
  }

  static Gen<Long> counters() {
    Gen<Long> edges = Generate.pick(List.of(1L, 127L, 128L, 16_383L, 16_384L,
        (long) Integer.MAX_VALUE, 1L << 32, MAX_SEQ));
    return Generate.longRange(1, 300).mix(Generate.longRange(1, MAX_SEQ)).mix(edges, 20);
  }

  static Gen<VersionVector> vectors() {
    Gen<Integer> sizes = Generate.range(0, 5);
    Gen<ReplicaId> ids = replicaIds();
    Gen<Long> counters = counters();
    return in -> {
      int n = sizes.generate(in);
      VersionVector v = VersionVector.empty();
      for (int i = 0; i < n; i++) {
        v = v.with(ids.generate(in), counters.generate(in));
      }
      return v;
    };
  }

  /** Names of 1 to 255 UTF-8 bytes, any code point but surrogates. */
  static Gen<String> objectNames() {
    Gen<Integer> lengths = Generate.range(1, 40);
    Gen<Integer> codePoints = Generate.range(0, 0x10ffff - 0x800)
        .map(c -> c >= 0xd800 ? c + 0x800 : c)
        .mix(Generate.range(0x20, 0x7e), 50);
    Gen<String> random = in -> {
      int n = lengths.generate(in);
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < n; i++) {
        int c = codePoints.generate(in);
        if (b.toString().getBytes(StandardCharsets.UTF_8).length
            + new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8).length > 255) {
          break;
        }
        b.appendCodePoint(c);
      }
      return b.toString();
    };
    return Generate.pick(AWKWARD_NAMES).mix(random, 70);
  }

  static Gen<byte[]> payloads() {
    Gen<byte[]> small = Generate.byteArrays(Generate.range(0, 24),
        Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0));
    Gen<byte[]> larger = Generate.byteArrays(Generate.range(120, 300),
        Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0));
    return small.mix(larger, 10);
  }

  static Gen<DeltaRecord> records() {
    Gen<ReplicaId> ids = replicaIds();
    Gen<Long> seqs = counters();
    Gen<VersionVector> deps = vectors();
    Gen<Long> walls = Generate.longRange(0, Hlc.MAX_WALL_MILLIS)
        .mix(Generate.longRange(1_700_000_000_000L, 1_800_000_000_000L));
    Gen<Integer> logicals = Generate.range(0, 5).mix(Generate.range(0, Integer.MAX_VALUE));
    Gen<String> names = objectNames();
    Gen<byte[]> payloads = payloads();
    return in -> {
      ReplicaId origin = ids.generate(in);
      return new DeltaRecord(origin, seqs.generate(in), deps.generate(in).with(origin, 0),
          new Hlc(walls.generate(in), logicals.generate(in), origin), names.generate(in),
          payloads.generate(in));
    };
  }

  /**
   * Records as replicas send them: runs of one feed, in order, mostly of one object, walls a
   * little apart either way, payloads that often start like a BinaryCodec value of their author
   * (whose replica table the wire leaves out), now and then a dependency or a jump to another
   * feed.
   */
  static Gen<List<DeltaRecord>> runs() {
    Gen<Integer> sizes = Generate.range(1, 12);
    Gen<ReplicaId> ids = replicaIds();
    Gen<Long> seqs = counters();
    Gen<Integer> steps = Generate.range(-3_000, 10_000).mix(Generate.pick(List.of(0, 1, -1)));
    Gen<Integer> events = Generate.range(0, 9);
    Gen<String> names = objectNames();
    Gen<byte[]> payloads = payloads();
    Gen<VersionVector> deps = vectors();
    return in -> {
      int n = sizes.generate(in);
      List<DeltaRecord> out = new ArrayList<>(n);
      ReplicaId origin = ids.generate(in);
      long seq = Math.min(seqs.generate(in), MAX_SEQ - 20);
      long wall = 1_700_000_000_000L;
      String object = names.generate(in);
      for (int i = 0; i < n; i++) {
        int event = events.generate(in);
        if (event == 0) {
          origin = ids.generate(in);
          seq = Math.min(seqs.generate(in), MAX_SEQ - 20);
        } else if (event == 1) {
          object = names.generate(in);
        } else if (event == 2) {
          seq++; // a gap: the next record is not the next of the previous
        }
        wall += steps.generate(in);
        byte[] payload = payloads.generate(in);
        if (event >= 4) {
          payload = withAuthor(payload, origin);
        }
        VersionVector d = event == 3 ? deps.generate(in).with(origin, 0) : VersionVector.empty();
        out.add(new DeltaRecord(origin, seq, d, new Hlc(wall, event == 5 ? 3 : 0, origin),
            object, payload));
        seq++;
      }
      return out;
    };
  }

  /** {@code payload} after a two-byte head and a replica table of just {@code author}. */
  static byte[] withAuthor(byte[] payload, ReplicaId author) {
    byte[] out = new byte[payload.length + 11];
    out[0] = 3;
    out[1] = 1;
    out[2] = 1;
    for (int i = 0; i < 8; i++) {
      out[3 + i] = (byte) (author.value() >>> (56 - 8 * i));
    }
    System.arraycopy(payload, 0, out, 11, payload.length);
    return out;
  }

  static Gen<Range> ranges() {
    Gen<ReplicaId> ids = replicaIds();
    Gen<Long> counters = counters();
    return in -> {
      long from = counters.generate(in);
      long count = counters.generate(in);
      return new Range(ids.generate(in), from, from + count - 1);
    };
  }

  /** Positions ascending from 0 or far up, counters at their edges; sometimes none. */
  static Gen<IndexedEntries> indexedEntries() {
    Gen<Integer> sizes = Generate.range(0, 5);
    Gen<Integer> steps = Generate.pick(List.of(1, 2, 127, 128, 16_384))
        .mix(Generate.range(1, 1_000));
    Gen<Long> counters = counters();
    return in -> {
      int n = sizes.generate(in);
      int[] at = new int[n];
      long[] cs = new long[n];
      int position = -1;
      for (int i = 0; i < n; i++) {
        position += steps.generate(in);
        at[i] = position;
        cs[i] = counters.generate(in);
      }
      return IndexedEntries.of(at, cs);
    };
  }

  static Gen<Long> hashes() {
    return longs().all().map(h -> h == 0 ? 1 : h);
  }

  /** Whole, resumed, reset and want-whole summaries. */
  static Gen<Summary> summaries() {
    Gen<Integer> kinds = Generate.range(0, 3);
    Gen<VersionVector> vectors = vectors();
    Gen<IndexedEntries> indexed = indexedEntries();
    Gen<Long> hashes = hashes();
    return in -> switch (kinds.generate(in)) {
      case 0 -> new Summary(vectors.generate(in));
      case 1 -> new Summary(hashes.generate(in), vectors.generate(in), indexed.generate(in), 0);
      case 2 -> new Summary(Summary.WHOLE, vectors.generate(in), IndexedEntries.NONE,
          Summary.RESET);
      default -> Summary.wantWhole();
    };
  }

  static Gen<Ack> acks() {
    Gen<VersionVector> vectors = vectors();
    Gen<IndexedEntries> indexed = indexedEntries();
    Gen<Long> hashes = hashes();
    return in -> {
      IndexedEntries x = indexed.generate(in);
      return x.isEmpty() ? new Ack(vectors.generate(in))
          : new Ack(vectors.generate(in), hashes.generate(in), x);
    };
  }

  /** Requests spelled out, by position, or both. */
  static Gen<Request> requests() {
    Gen<List<Range>> ranges = listsOf(ranges(), 4);
    Gen<IndexedEntries> indexed = indexedEntries();
    Gen<Integer> tags = Generate.range(0, 255);
    return in -> {
      IndexedEntries x = indexed.generate(in);
      return x.isEmpty() ? new Request(ranges.generate(in))
          : new Request(ranges.generate(in), tags.generate(in), x);
    };
  }

  static <T> Gen<List<T>> listsOf(Gen<T> items, int max) {
    Gen<Integer> sizes = Generate.range(0, max);
    return in -> {
      int n = sizes.generate(in);
      List<T> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        out.add(items.generate(in));
      }
      return out;
    };
  }

  static Gen<Message> messages() {
    Gen<Integer> kinds = Generate.range(0, 11);
    Gen<String> topics = Generate.pick(AWKWARD_NAMES);
    Gen<Integer> sizes = Generate.range(1, 300);
    Gen<Integer> versions = Generate.pick(List.of(0, 1, 2, 127, 128, Integer.MAX_VALUE))
        .mix(Generate.range(0, Integer.MAX_VALUE));
    Gen<ReplicaId> ids = replicaIds();
    Gen<Boolean> flags = Generate.booleans();
    Gen<VersionVector> vectors = vectors();
    Gen<List<DeltaRecord>> records = listsOf(records(), 6).mix(runs());
    Gen<List<Range>> ranges = listsOf(ranges(), 6);
    Gen<Summary> summaries = summaries();
    Gen<Ack> acks = acks();
    Gen<Request> requests = requests();
    Gen<Message> gen = in -> switch (kinds.generate(in)) {
      case 0 -> new Hello(versions.generate(in), ids.generate(in), flags.generate(in),
          flags.generate(in), flags.generate(in));
      case 1 -> summaries.generate(in);
      case 2 -> acks.generate(in);
      case 3 -> new Deltas(records.generate(in));
      case 4 -> new Offer(ranges.generate(in));
      case 5 -> requests.generate(in);
      case 9 -> new Resend(ranges.generate(in));
      case 11 -> new Prune(ranges.generate(in));
      case 6 -> {
        byte[] snapshot = new byte[sizes.generate(in)];
        new java.util.Random(snapshot.length).nextBytes(snapshot);
        SnapshotOffer o = SnapshotWireTest.offerFor(snapshot, 1 + sizes.generate(in) % 64);
        yield new SnapshotOffer(vectors.generate(in), o.size(), o.hash(), o.chunkBytes(),
            o.chunkHashes());
      }
      case 7 -> new SnapshotFetch(new byte[Message.HASH_BYTES], sizes.generate(in));
      case 8 -> new SnapshotChunk(new byte[Message.HASH_BYTES], sizes.generate(in),
          new byte[sizes.generate(in) % 64]);
      default -> new Message.Ephemeral(counters().generate(in), topics.generate(in),
          new byte[sizes.generate(in) % 80]);
    };
    return gen.describedAs(m -> m + " = " + HEX.formatHex(bytes(MessageCodec.encode(m))));
  }

  // ---- helpers ----

  static DeltaRecord record(ReplicaId origin, long seq) {
    return new DeltaRecord(origin, seq, VersionVector.empty(), new Hlc(1_000 + seq, 0, origin),
        "o", new byte[] {(byte) seq});
  }

  private static void varints(WireWriter w, long... values) {
    for (long v : values) {
      w.varint(v);
    }
  }

  /** A summary's type, a table holding A, and flags saying a vector follows. */
  private static WireWriter summaryHeader() {
    WireWriter w = new WireWriter();
    w.u8(MessageCodec.SUMMARY);
    w.varint(1);
    w.u64(A.value());
    w.u8(8);
    return w;
  }

  private static WireWriter deltasHeader() {
    WireWriter w = new WireWriter();
    w.u8(MessageCodec.DELTAS);
    w.varint(1);
    w.u64(A.value());
    return w;
  }

  private static byte[] table(long first, long second) {
    WireWriter w = new WireWriter();
    w.u8(MessageCodec.SUMMARY);
    w.varint(2);
    w.u64(first);
    w.u64(second);
    w.varint(0);
    return bytes(w.toBuffer());
  }

  private static byte[] deltaWithName(byte[] name) {
    WireWriter w = deltasHeader();
    varints(w, 1, 0, 0, 1, 1, 0);
    w.bytes(name);
    w.bytes(new byte[] {1, 2, 3});
    return bytes(w.toBuffer());
  }

  private static byte[] padTo(WireWriter w, int size) {
    while (w.size() < size) {
      w.u8(0);
    }
    return bytes(w.toBuffer());
  }

  static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  private static Message decode(byte[] frame) {
    try {
      return MessageCodec.decode(ByteBuffer.wrap(frame), ProtocolLimits.DEFAULT);
    } catch (ProtocolException e) {
      throw new AssertionError("valid frame refused: " + HEX.formatHex(frame), e);
    }
  }

  private static Reason reason(byte[] frame) {
    return reason(frame, ProtocolLimits.DEFAULT);
  }

  private static Reason reason(byte[] frame, ProtocolLimits limits) {
    Throwable t = catchThrowable(() -> MessageCodec.decode(ByteBuffer.wrap(frame), limits));
    if (t == null) {
      return null;
    }
    if (!(t instanceof ProtocolException e)) {
      throw new AssertionError("decoding " + shortHex(frame) + " threw " + t, t);
    }
    return e.reason();
  }

  /** Decodes, or throws ProtocolException; a decoded message survives another round trip. */
  private static void assertDecodesOrThrowsProtocolException(byte[] frame) {
    Message m;
    try {
      m = MessageCodec.decode(ByteBuffer.wrap(frame), ProtocolLimits.DEFAULT);
    } catch (ProtocolException expected) {
      return;
    } catch (Throwable t) {
      throw new AssertionError("decoding " + shortHex(frame) + " threw " + t, t);
    }
    byte[] again = bytes(MessageCodec.encode(m));
    assertThat(decode(again)).as("re-encoded %s", m).isEqualTo(m);
  }

  /** Rejecting a frame whose counts or lengths lie takes no more than a millisecond. */
  private static void assertFast(byte[] frame) {
    for (int i = 0; i < 200; i++) {
      reason(frame); // warm up
    }
    int runs = 1_000;
    long start = System.nanoTime();
    for (int i = 0; i < runs; i++) {
      reason(frame);
    }
    long perFrame = (System.nanoTime() - start) / runs;
    assertThat(perFrame).as("nanoseconds to refuse %s", shortHex(frame))
        .isLessThan(1_000_000L);
  }

  /**
   * Every position of a short frame; of a long one (large payloads), the first and last hundred
   * and a random hundred between, which keeps a thousand examples fast.
   */
  private static List<Integer> positions(int n, Random r) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (n <= 300 || i < 100 || i >= n - 100 || r.nextInt(n) < 100) {
        out.add(i);
      }
    }
    return out;
  }

  private static byte[] mutate(byte[] valid, Random r) {
    byte[] b = valid.clone();
    if (b.length == 0) {
      return new byte[] {(byte) r.nextInt(256)};
    }
    switch (r.nextInt(6)) {
      case 0 -> { // insert a byte
        int at = r.nextInt(b.length + 1);
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, at);
        out[at] = (byte) r.nextInt(256);
        System.arraycopy(b, at, out, at + 1, b.length - at);
        return out;
      }
      case 1 -> { // delete a byte
        int at = r.nextInt(b.length);
        byte[] out = new byte[b.length - 1];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(b, at + 1, out, at, b.length - at - 1);
        return out;
      }
      case 2 -> { // a run of continuation bytes, as a lying varint would have
        int at = r.nextInt(b.length);
        for (int i = at; i < Math.min(b.length, at + 1 + r.nextInt(11)); i++) {
          b[i] = (byte) 0xff;
        }
        return b;
      }
      case 3 -> { // duplicate a slice
        int from = r.nextInt(b.length);
        int to = from + r.nextInt(b.length - from) + 1;
        byte[] out = Arrays.copyOf(b, b.length + (to - from));
        System.arraycopy(b, from, out, b.length, to - from);
        return out;
      }
      case 4 -> { // several random bytes
        for (int i = 0; i < 1 + r.nextInt(4); i++) {
          b[r.nextInt(b.length)] = (byte) r.nextInt(256);
        }
        return b;
      }
      default -> { // swap two bytes
        int i = r.nextInt(b.length);
        int j = r.nextInt(b.length);
        byte t = b[i];
        b[i] = b[j];
        b[j] = t;
        return b;
      }
    }
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = MessageCodecTest.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        return fail("missing test resource " + name);
      }
      return in.readAllBytes();
    }
  }

  private static String shortHex(byte[] frame) {
    String hex = HEX.formatHex(frame, 0, Math.min(frame.length, 96));
    return frame.length > 96 ? hex + "… (" + frame.length + " bytes)" : hex;
  }
}
