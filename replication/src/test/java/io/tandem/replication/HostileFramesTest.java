package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.tandem.crdt.GCounter;
import io.tandem.crdt.Hlc;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.memory.InMemoryReplicaStore;
import io.tandem.replication.protocol.Message;
import io.tandem.replication.protocol.Message.Ack;
import io.tandem.replication.protocol.Message.Deltas;
import io.tandem.replication.protocol.Message.Hello;
import io.tandem.replication.protocol.Message.Offer;
import io.tandem.replication.protocol.Message.Range;
import io.tandem.replication.protocol.Message.Request;
import io.tandem.replication.protocol.Message.Summary;
import io.tandem.replication.protocol.MessageCodec;
import io.tandem.replication.protocol.ProtocolLimits;
import io.tandem.replication.sim.SimulatedNetwork;
import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.PeerListener;
import io.tandem.replication.spi.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A victim replica on the simulated network and an attacker endpoint the test drives by hand.
 * Whatever the attacker sends, the victim either closes the session and says why, or (for
 * replays) takes no notice; its vector, its objects and its stored feeds never change, and no
 * exception escapes it.
 */
class HostileFramesTest {

  private static final int EXAMPLES = Math.max(200,
      Integer.getInteger("tandem.examples", 1000) / 4);
  private static final ReplicaId VICTIM = ReplicaId.of(0x71c7);
  private static final ReplicaId MALLORY = ReplicaId.of(0x3a11);
  private static final PeerId TO_VICTIM = PeerId.of("victim");
  private static final ProtocolLimits LIMITS = new ProtocolLimits(4096, 100, 100);

  private SimulatedNetwork net;
  private InMemoryReplicaStore store;
  private Replica victim;
  private Transport attacker;
  private final List<ByteBuffer> heard = new ArrayList<>();
  /** The valid frame that gave the victim MALLORY#1, as the attacker sent it. */
  private ByteBuffer validDeltas;
  private ReplicaState before;
  private long closedBefore;

  @BeforeEach
  void setUp() {
    net = new SimulatedNetwork(99);
    net.setFrameKind(MessageCodec::kindOf);
    store = new InMemoryReplicaStore();
    victim = Replica.builder().id(VICTIM).store(store).transport(net.endpoint("victim"))
        .clock(net.clock()).scheduler(net.scheduler())
        .config(ReplicaConfig.DEFAULT.withLimits(LIMITS).withSeed(1)).build();
    attacker = net.endpoint("attacker");
    attacker.start(new PeerListener() {
      @Override
      public void peerUp(PeerId peer) {}

      @Override
      public void peerDown(PeerId peer) {}

      @Override
      public void frame(PeerId peer, ByteBuffer frame) {
        heard.add(frame);
      }
    });
    victim.update("likes", GCounter.empty(), (c, w) -> c.increment(w.replica(), 2));
    victim.update("likes", GCounter.empty(), (c, w) -> c.increment(w.replica(), 1));
    victim.update("tags", OrSet.<String>empty(), (s, w) -> s.add(w.replica(), "work"));
    net.runFor(10);
    assertThat(heard).extracting(MessageCodec::kindOf).containsExactly("hello");

    // An honest first session: the victim gets one record of the attacker's feed.
    hello();
    validDeltas = MessageCodec.encode(new Deltas(List.of(malloryRecord(1, "notes",
        BinaryCodec.encode(LwwRegister.<String>empty().assign(hlc(1), "hi"))))));
    send(validDeltas.duplicate());
    assertThat(victim.vector().get(MALLORY)).isEqualTo(1);

    // The attacker hangs up; the next session starts with no hello from it.
    attacker.disconnect(TO_VICTIM, "new session");
    net.runFor(SimulatedNetwork.DISCONNECT_CUT_MILLIS + 50);
    before = ReplicaState.of(victim, store);
    closedBefore = victim.metrics().sessionsClosed();
  }

  @AfterEach
  void tearDown() {
    victim.close();
    attacker.close();
  }

  // ---- broken frames ----

  @Test
  void malformedFrameClosesTheSession() {
    hello();
    send(new byte[] {2, 1, 0, 0, 0, 0, 0, 0, 0, 9, 8, 1, 0, (byte) 0xff, (byte) 0xff,
        (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
        (byte) 0xff, (byte) 0xff, (byte) 0xff, 1});
    assertClosedFor("MALFORMED");
  }

  @Test
  void truncatedFrameClosesTheSession() {
    hello();
    byte[] valid = bytes(MessageCodec.encode(new Deltas(List.of(malloryRecord(2, "likes",
        BinaryCodec.encode(GCounter.empty().increment(MALLORY, 5)))))));
    send(Arrays.copyOf(valid, valid.length - 3));
    assertClosedFor("TRUNCATED");
  }

  @Test
  void frameAboveTheConfiguredMaximumClosesTheSession() {
    hello();
    byte[] big = bytes(MessageCodec.encode(new Deltas(List.of(malloryRecord(2, "blob",
        new byte[LIMITS.maxFrameBytes()])))));
    assertThat(big.length).isGreaterThan(LIMITS.maxFrameBytes());
    send(big);
    assertClosedFor("LIMIT_EXCEEDED");
  }

  @Test
  void unknownMessageTypeClosesTheSession() {
    hello();
    send(new byte[] {42, 0});
    assertClosedFor("UNKNOWN_TYPE");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileFiles")
  void everyHostileFileClosesTheSession(String file) throws IOException {
    hello();
    send(resource("hostile/" + file));
    assertClosedFor("");
  }

  static Stream<String> hostileFiles() throws IOException, URISyntaxException {
    Path dir = Path.of(HostileFramesTest.class.getClassLoader().getResource("hostile").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".bin"))
          .sorted().toList().stream();
    }
  }

  // ---- hellos ----

  @Test
  void helloOfAnotherVersionClosesTheSession() {
    send(MessageCodec.encode(new Hello(Message.VERSION + 1, MALLORY, false, false)));
    assertClosedFor("UNSUPPORTED_VERSION");
  }

  /** A version of 2^63 + 1 on the wire is no version 1, whatever an int cast makes of it. */
  @Test
  void helloWhoseVersionWrapsToOneClosesTheSession() {
    byte[] frame = bytes(MessageCodec.encode(new Hello(Message.VERSION, MALLORY, false, true)));
    byte[] wrapped = new byte[frame.length + 9];
    System.arraycopy(frame, 0, wrapped, 0, 10); // type, table of one id
    byte[] version = {(byte) 0x81, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
        (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01}; // 2^63 + 1
    System.arraycopy(version, 0, wrapped, 10, version.length);
    System.arraycopy(frame, 11, wrapped, 20, frame.length - 11); // ref, flags
    send(wrapped);
    assertClosedFor("");
  }

  @Test
  void helloClaimingTheVictimsOwnIdClosesTheSession() {
    send(MessageCodec.encode(new Hello(Message.VERSION, VICTIM, false, false)));
    assertClosedFor("VIOLATION");
  }

  @Test
  void simulatedEndpointSaysItIsUnordered() {
    assertThat(attacker.ordered()).as("frames on a simulated link overtake each other").isFalse();
  }

  /** Over the unordered simulator a message may overtake the hello: it is dropped, no more. */
  @Test
  void messageBeforeHelloIsIgnoredOverTheUnorderedSimulator() {
    send(MessageCodec.encode(new Summary(VersionVector.of(MALLORY, 1))));
    send(MessageCodec.encode(new Deltas(List.of(malloryRecord(2, "likes",
        BinaryCodec.encode(GCounter.empty().increment(MALLORY, 5)))))));

    assertThat(victim.metrics().sessionsClosed()).isEqualTo(closedBefore);
    assertUnchanged();

    hello();
    assertThat(victim.peers().get(MALLORY).connected()).as("the session opens all the same")
        .isTrue();
  }

  // ---- ephemeral messages ----

  @Test
  void ephemeralFromThePeerIsHeardAndChangesNothing() {
    EphemeralHeard heard = EphemeralHeard.on(victim);
    hello();
    send(MessageCodec.encode(new Message.Ephemeral(1, "typing", "mallory".getBytes())));

    assertThat(heard.all()).containsExactly(EphemeralHeard.line(MALLORY, "typing",
        "mallory".getBytes()));
    assertThat(victim.metrics().sessionsClosed()).isEqualTo(closedBefore);
    assertUnchanged();
  }

  /** A payload length above 64 KiB is refused as claimed, before the bytes are looked for. */
  @Test
  void ephemeralClaimingAnOversizePayloadClosesTheSession() {
    EphemeralHeard heard = EphemeralHeard.on(victim);
    hello();
    send(HexFormat.of().parseHex("0a00" + "01" + "0174" + "818004" + "00".repeat(32)));
    assertClosedFor("LIMIT_EXCEEDED");
    assertThat(heard.all()).isEmpty();
  }

  @Test
  void truncatedEphemeralClosesTheSession() {
    EphemeralHeard heard = EphemeralHeard.on(victim);
    hello();
    byte[] valid = bytes(MessageCodec.encode(new Message.Ephemeral(1, "typing",
        new byte[40])));
    send(Arrays.copyOf(valid, valid.length - 1));
    assertClosedFor("TRUNCATED");
    assertThat(heard.all()).isEmpty();
  }

  // ---- lying records ----

  @Test
  void payloadThatIsNoCrdtEncodingClosesTheSession() {
    hello();
    send(MessageCodec.encode(new Deltas(List.of(malloryRecord(2, "likes",
        new byte[] {1, 2, 3, 4})))));
    assertClosedFor("VIOLATION");
  }

  @Test
  void payloadThatDecodesToSomethingElseThanACrdtClosesTheSession() {
    hello();
    send(MessageCodec.encode(new Deltas(List.of(malloryRecord(2, "vv",
        BinaryCodec.encode(VersionVector.of(MALLORY, 3)))))));
    assertClosedFor("VIOLATION");
  }

  @Test
  void payloadOfAnotherTypeThanTheObjectHoldsClosesTheSession() {
    hello();
    send(MessageCodec.encode(new Deltas(List.of(malloryRecord(2, "likes",
        BinaryCodec.encode(OrSet.<String>empty().add(MALLORY, "x")))))));
    assertClosedFor("VIOLATION");
  }

  @Test
  void recordsOfOneFrameWithTwoTypesForANewObjectCloseTheSession() {
    hello();
    send(MessageCodec.encode(new Deltas(List.of(
        malloryRecord(2, "fresh", BinaryCodec.encode(GCounter.empty().increment(MALLORY, 1))),
        malloryRecord(3, "fresh", BinaryCodec.encode(OrSet.<String>empty().add(MALLORY,
            "x")))))));
    assertClosedFor("VIOLATION");
  }

  /**
   * A record of the victim's own feed beyond what it holds is what a store restored from an old
   * backup sees from its honest peers, and the victim cannot tell it from a forgery (records are
   * not signed: FAULTS-COVERAGE, Relay). It moves to a new id and keeps the record as a third
   * replica's; nothing it wrote is lost, and no dot is issued twice. Until 2026-11-24 this
   * closed the session, and every later session with every peer, for good.
   */
  @Test
  void recordOfTheVictimsOwnFeedBeyondWhatItHoldsMovesItToANewId() {
    hello();
    long next = victim.vector().get(VICTIM) + 1;
    DeltaRecord forged = new DeltaRecord(VICTIM, next, VersionVector.empty(),
        new Hlc(net.now(), 0, VICTIM), "likes",
        BinaryCodec.encode(GCounter.empty().increment(VICTIM, 1_000)));
    send(MessageCodec.encode(new Deltas(List.of(forged))));

    assertThat(victim.metrics().sessionsClosed()).isEqualTo(closedBefore);
    assertThat(victim.id()).isNotEqualTo(VICTIM);
    assertThat(victim.retiredIds()).containsExactly(VICTIM);
    assertThat(victim.vector().get(VICTIM)).isEqualTo(next);
    assertThat(store.replicaId()).contains(victim.id());
  }

  /** The same record with a payload that does not decode moves nothing and ends the session. */
  @Test
  void undecodableRecordOfTheVictimsOwnFeedClosesTheSessionAndMovesNothing() {
    hello();
    long next = victim.vector().get(VICTIM) + 1;
    DeltaRecord forged = new DeltaRecord(VICTIM, next, VersionVector.empty(),
        new Hlc(net.now(), 0, VICTIM), "likes", new byte[] {(byte) 0xFF, 1, 2});
    send(MessageCodec.encode(new Deltas(List.of(forged))));
    assertClosedFor("VIOLATION");
    assertThat(victim.id()).isEqualTo(VICTIM);
    assertThat(victim.retiredIds()).isEmpty();
  }

  /**
   * A summary claiming more of the victim's feed than it wrote is only a claim: it moves
   * nothing, changes nothing, and no longer closes the session (a restored store's honest peers
   * say exactly that; closing for it failed every session with every peer for good).
   */
  @Test
  void summaryClaimingMoreOfTheVictimsFeedThanItWroteChangesNothing() {
    hello();
    send(MessageCodec.encode(new Summary(VersionVector.of(VICTIM, 99))));
    net.runFor(2_000);
    assertThat(victim.metrics().sessionsClosed()).isEqualTo(closedBefore);
    assertThat(victim.id()).isEqualTo(VICTIM);
    assertThat(victim.retiredIds()).isEmpty();
    assertUnchanged();
  }

  // ---- replays ----

  @Test
  void replayedDeltasChangeNothing() {
    hello();
    for (int i = 0; i < 5; i++) {
      send(validDeltas.duplicate());
    }
    // A forged record under a number the victim already holds is a replay too.
    send(MessageCodec.encode(new Deltas(List.of(malloryRecord(1, "notes",
        BinaryCodec.encode(LwwRegister.<String>empty().assign(hlc(9), "forged")))))));

    assertThat(victim.metrics().sessionsClosed()).isEqualTo(closedBefore);
    assertUnchanged();
  }

  /** ReplicaMetrics.duplicates: "records received that were already applied". */
  @Test
  void replayedDeltasAreCountedAsDuplicates() {
    long duplicatesBefore = victim.metrics().duplicates();
    hello();
    for (int i = 0; i < 5; i++) {
      send(validDeltas.duplicate());
    }

    assertThat(victim.metrics().duplicates() - duplicatesBefore)
        .as("replayed records counted as duplicates").isEqualTo(5);
  }

  /**
   * A record waiting in the causal buffer was validated when it came; a copy of it is dropped
   * unread, so its payload is never decoded: garbage there closes nothing, and the record applied
   * later is the first copy.
   */
  @Test
  void copyOfABufferedRecordIsADuplicateAndItsPayloadIsNeverRead() {
    hello();
    DeltaRecord third = malloryRecord(3, "likes",
        BinaryCodec.encode(GCounter.empty().increment(MALLORY, 7)));
    send(MessageCodec.encode(new Deltas(List.of(third))));
    assertUnchanged(); // MALLORY#2 is missing: #3 waits in the buffer
    assertThat(victim.metrics().bufferedDeltas()).isEqualTo(1);
    long duplicatesBefore = victim.metrics().duplicates();

    DeltaRecord garbled = malloryRecord(3, "likes", new byte[] {1, 2, 3, 4});
    send(MessageCodec.encode(new Deltas(List.of(garbled, garbled))));

    assertThat(victim.metrics().sessionsClosed()).as("a duplicate closes nothing")
        .isEqualTo(closedBefore);
    assertThat(victim.metrics().duplicates() - duplicatesBefore).isEqualTo(2);
    assertUnchanged();

    send(MessageCodec.encode(new Deltas(List.of(malloryRecord(2, "likes",
        BinaryCodec.encode(GCounter.empty().increment(MALLORY, 1)))))));
    assertThat(victim.vector().get(MALLORY)).isEqualTo(3);
    assertThat(victim.get("likes", GCounter.empty()).value())
        .as("3 own, and Mallory's entry 7 from the first copy of #3").isEqualTo(3 + 7);
    assertThat(store.readFeed(MALLORY, 3, 1)).containsExactly(third);
  }

  /** Held records are skipped unread; a fresh one with garbage still refuses the whole frame. */
  @Test
  void frameOfAHeldRecordAndAGarbledFreshOneClosesTheSession() {
    hello();
    send(MessageCodec.encode(new Deltas(List.of(malloryRecord(1, "notes",
        BinaryCodec.encode(LwwRegister.<String>empty().assign(hlc(1), "hi"))),
        malloryRecord(2, "likes", new byte[] {1, 2, 3, 4})))));
    assertClosedFor("VIOLATION");
  }

  @Test
  void deltasReplayedBeforeAndAfterAReconnectChangeNothing() {
    send(validDeltas.duplicate()); // a frame from the old session, before any hello
    hello();
    send(validDeltas.duplicate());
    attacker.disconnect(TO_VICTIM, "again");
    net.runFor(SimulatedNetwork.DISCONNECT_CUT_MILLIS + 50);
    hello();
    send(validDeltas.duplicate());

    assertThat(victim.metrics().sessionsClosed()).isEqualTo(closedBefore);
    assertUnchanged();
  }

  // ---- fuzz ----

  /**
   * Mutated control messages (hellos, summaries, acks, offers, requests, ephemeral messages) and
   * random bytes, one per session: none may escape the victim as an exception or change what it
   * holds.
   */
  @Test
  void fuzzedControlFramesNeverCrashTheVictimNorChangeItsState() {
    List<Message> seeds = List.of(
        new Summary(VersionVector.of(MALLORY, 1).with(VICTIM, 2)),
        new Ack(VersionVector.of(MALLORY, 1)),
        new Offer(List.of(new Range(MALLORY, 1, 1), new Range(ReplicaId.of(5), 1, 3))),
        new Request(List.of(new Range(VICTIM, 1, 3))),
        new Hello(Message.VERSION, MALLORY, true, true),
        new Message.Ephemeral(3, "typing", "mallory".getBytes()));
    qt().withExamples(EXAMPLES).withShrinkCycles(0)
        .forAll(integers().between(0, seeds.size()), longs().all())
        .checkAssert((pick, seed) -> {
          Random r = new Random(seed);
          byte[] frame;
          if (pick == seeds.size()) {
            frame = new byte[r.nextInt(40)];
            r.nextBytes(frame);
          } else {
            frame = bytes(MessageCodec.encode(seeds.get(pick)));
            for (int i = 0; i < 1 + r.nextInt(3); i++) {
              frame[r.nextInt(frame.length)] ^= (byte) (1 + r.nextInt(255));
            }
          }
          net.runFor(SimulatedNetwork.DISCONNECT_CUT_MILLIS + 10); // any earlier cut is over
          hello();
          send(frame);
          net.runFor(20);
          ReplicaState after = ReplicaState.of(victim, store);
          assertThat(after).as("after %s", HexFormat.of().formatHex(frame))
              .isEqualTo(before.foldedAs(after));
        });
  }

  // ---- helpers ----

  private void hello() {
    send(MessageCodec.encode(new Hello(Message.VERSION, MALLORY, false, true)));
  }

  private void send(ByteBuffer frame) {
    attacker.send(TO_VICTIM, frame);
    net.runFor(5);
  }

  private void send(byte[] frame) {
    send(ByteBuffer.wrap(frame));
  }

  private void assertClosedFor(String reason) {
    ReplicaMetrics m = victim.metrics();
    assertThat(m.sessionsClosed()).as("sessions closed").isEqualTo(closedBefore + 1);
    assertThat(m.lastCloseReason()).as("why").isNotNull().contains(reason);
    assertThat(net.disconnectReasons()).last().asString().startsWith("victim->attacker");
    assertUnchanged();
    // Nothing changes later either, while sessions come and go.
    net.runFor(2_000);
    assertUnchanged();
  }

  private void assertUnchanged() {
    ReplicaState after = ReplicaState.of(victim, store);
    assertThat(after).isEqualTo(before.foldedAs(after));
  }

  private DeltaRecord malloryRecord(long seq, String object, byte[] payload) {
    return new DeltaRecord(MALLORY, seq, VersionVector.empty(), hlc(seq), object, payload);
  }

  private Hlc hlc(long logical) {
    return new Hlc(SimulatedNetwork.EPOCH_MILLIS, (int) logical, MALLORY);
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = HostileFramesTest.class.getClassLoader().getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }
}
