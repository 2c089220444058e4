package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.GCounter;
import io.tandem.crdt.Hlc;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.replication.memory.InMemoryReplicaStore;
import io.tandem.replication.protocol.Message;
import io.tandem.replication.protocol.Message.Hello;
import io.tandem.replication.protocol.Message.SnapshotChunk;
import io.tandem.replication.protocol.Message.SnapshotFetch;
import io.tandem.replication.protocol.Message.SnapshotOffer;
import io.tandem.replication.protocol.MessageCodec;
import io.tandem.replication.protocol.ProtocolException;
import io.tandem.replication.protocol.ProtocolLimits;
import io.tandem.replication.sim.SimulatedNetwork;
import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.PeerListener;
import io.tandem.replication.spi.Snapshot;
import io.tandem.replication.spi.SnapshotCodec;
import io.tandem.replication.spi.Transport;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An attacker offers the victim a snapshot and feeds it chunks by hand. A chunk with a bad hash,
 * an offset past the end or a length that lies is rejected and fetched again, without closing
 * the session; a snapshot whose whole hash or content does not hold changes nothing; an honest
 * one is installed.
 */
class HostileSnapshotTest {

  private static final ReplicaId VICTIM = ReplicaId.of(0x71c7);
  private static final ReplicaId MALLORY = ReplicaId.of(0x3a11);
  private static final PeerId TO_VICTIM = PeerId.of("victim");
  /** Small enough that the honest snapshot, deflated by the codec, spans several chunks. */
  private static final int CHUNK = 32;

  private SimulatedNetwork net;
  private Replica victim;
  private Transport attacker;
  private final List<Message> heard = new ArrayList<>();
  private String stateBefore;

  @BeforeEach
  void setUp() {
    net = new SimulatedNetwork(7);
    victim = Replica.builder().id(VICTIM).store(new InMemoryReplicaStore())
        .transport(net.endpoint("victim")).clock(net.clock()).scheduler(net.scheduler())
        .config(ReplicaConfig.DEFAULT.withSeed(1)
            .withLimits(new ProtocolLimits(1 << 16, 100, 1000, CHUNK)))
        .build();
    attacker = net.endpoint("attacker");
    attacker.start(new PeerListener() {
      @Override
      public void peerUp(PeerId peer) {}

      @Override
      public void peerDown(PeerId peer) {}

      @Override
      public void frame(PeerId peer, ByteBuffer frame) {
        try {
          heard.add(MessageCodec.decode(frame, ProtocolLimits.DEFAULT));
        } catch (ProtocolException e) {
          throw new AssertionError(e);
        }
      }
    });
    victim.update("likes", GCounter.empty(), (c, w) -> c.increment(w.replica(), 2));
    victim.update("pins", OrSet.<String>empty(), (s, w) -> s.add(w.replica(), "a"));
    net.runFor(10);
    send(new Hello(Message.VERSION, MALLORY, false, true));
    stateBefore = state();
  }

  @AfterEach
  void tearDown() {
    victim.close();
    attacker.close();
  }

  /** Mallory's snapshot: its own feed up to 5, a counter of 5 and a pin of its own. */
  private static byte[] honestSnapshot() {
    OrSet<String> pins = OrSet.<String>empty();
    for (int i = 1; i <= 4; i++) {
      pins = pins.merge(pins.add(MALLORY, "pin-with-a-longer-name-" + i));
    }
    GCounter likes = GCounter.empty().increment(MALLORY, 5);
    return SnapshotCodec.encode(new Snapshot(VersionVector.of(MALLORY, 5), Map.of(
        "likes", BinaryCodec.encode(likes), "pins", BinaryCodec.encode(pins)),
        new Hlc(SimulatedNetwork.EPOCH_MILLIS + 5, 0, MALLORY)));
  }

  private static SnapshotOffer offer(byte[] bytes, byte[] wholeHash, VersionVector v) {
    List<byte[]> hashes = new ArrayList<>();
    for (int at = 0; at < bytes.length; at += CHUNK) {
      hashes.add(SnapshotCodec.sha256(bytes, at, Math.min(CHUNK, bytes.length - at)));
    }
    return new SnapshotOffer(v, bytes.length, wholeHash, CHUNK, hashes);
  }

  private static SnapshotOffer offer(byte[] bytes) {
    return offer(bytes, SnapshotCodec.sha256(bytes), VersionVector.of(MALLORY, 5));
  }

  private static SnapshotChunk chunk(SnapshotOffer o, byte[] bytes, int at) {
    return new SnapshotChunk(o.hash(), at,
        Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + CHUNK)));
  }

  @Test
  void badChunksAreRejectedAndFetchedAgainThenTheHonestSnapshotInstalls() {
    byte[] bytes = honestSnapshot();
    assertThat(bytes.length).isGreaterThan(3 * CHUNK);
    SnapshotOffer o = offer(bytes);
    send(o);
    assertThat(lastFetch().offset()).isZero();

    SnapshotChunk first = chunk(o, bytes, 0);
    byte[] flipped = first.bytes().clone();
    flipped[3] ^= 0x10;
    send(new SnapshotChunk(o.hash(), 0, flipped));
    assertRejectedAndFetchedAgainAt(0, 1);
    send(new SnapshotChunk(o.hash(), bytes.length + 100L, first.bytes()));
    assertRejectedAndFetchedAgainAt(0, 2);
    send(new SnapshotChunk(o.hash(), 0, Arrays.copyOf(first.bytes(), CHUNK - 1)));
    assertRejectedAndFetchedAgainAt(0, 3);

    send(first);
    assertThat(lastFetch().offset()).isEqualTo(CHUNK);
    send(new SnapshotChunk(o.hash(), CHUNK, first.bytes())); // another chunk's bytes
    assertRejectedAndFetchedAgainAt(CHUNK, 4);

    for (int at = CHUNK; at < bytes.length; at += CHUNK) {
      send(chunk(o, bytes, at));
    }
    assertThat(victim.transferCounts()[2]).as("installed").isEqualTo(1);
    assertThat(victim.vector()).isEqualTo(VersionVector.of(VICTIM, 2).with(MALLORY, 5));
    assertThat(victim.get("likes", GCounter.empty()).value()).isEqualTo(7);
    assertThat(victim.get("pins", OrSet.<String>empty()).elements()).hasSize(5).contains("a");
    assertThat(victim.metrics().sessionsClosed()).isZero();
    // A write after the snapshot is stamped above everything it covers.
    Write w = victim.update("title", io.tandem.crdt.LwwRegister.<String>empty(),
        (t, c) -> t.assign(c.hlc(), "x"));
    assertThat(victim.get("title", io.tandem.crdt.LwwRegister.<String>empty()).timestamp())
        .isGreaterThan(new Hlc(SimulatedNetwork.EPOCH_MILLIS + 5, 0, MALLORY));
    assertThat(w.dot().counter()).isEqualTo(3);
  }

  @Test
  void snapshotWhoseWholeHashFailsChangesNothingAndIsFetchedAgain() {
    byte[] bytes = honestSnapshot();
    byte[] wrong = SnapshotCodec.sha256(bytes);
    wrong[0] ^= 1;
    SnapshotOffer o = offer(bytes, wrong, VersionVector.of(MALLORY, 5));
    send(o);
    for (int at = 0; at < bytes.length; at += CHUNK) {
      send(chunk(o, bytes, at));
    }
    assertThat(lastFetch().offset()).as("starts over").isZero();
    assertThat(victim.transferCounts()[2]).isZero();
    assertThat(state()).isEqualTo(stateBefore);
  }

  @Test
  void snapshotThatVerifiesButHoldsAnotherTypeForAnObjectChangesNothing() {
    byte[] bytes = SnapshotCodec.encode(new Snapshot(VersionVector.of(MALLORY, 5), Map.of(
        "likes", BinaryCodec.encode(OrSet.<String>empty().add(MALLORY, "not a counter")))));
    SnapshotOffer o = offer(bytes);
    send(o);
    for (int at = 0; at < bytes.length; at += CHUNK) {
      send(chunk(o, bytes, at));
    }
    assertThat(victim.transferCounts()[2]).isZero();
    assertThat(state()).isEqualTo(stateBefore);
  }

  @Test
  void offerCoveringTheVictimsOwnFeedBeyondItsWritesClosesTheSession() {
    byte[] bytes = honestSnapshot();
    send(offer(bytes, SnapshotCodec.sha256(bytes), VersionVector.of(MALLORY, 5).with(VICTIM,
        9)));
    assertThat(victim.metrics().sessionsClosed()).isEqualTo(1);
    assertThat(victim.metrics().lastCloseReason()).contains("VIOLATION");
    assertThat(state()).isEqualTo(stateBefore);
  }

  @Test
  void offerOfASnapshotTooLargeToHoldClosesTheSessionBeforeAnythingIsReserved() {
    long size = Integer.MAX_VALUE;
    List<byte[]> hashes = new ArrayList<>();
    int chunk = 1 << 16;
    for (long at = 0; at < size; at += chunk) {
      hashes.add(new byte[32]);
    }
    victim.close();
    victim = Replica.builder().id(VICTIM).store(new InMemoryReplicaStore())
        .transport(net.restart("victim")).clock(net.clock()).scheduler(net.scheduler())
        .config(ReplicaConfig.DEFAULT.withSeed(1)
            .withLimits(new ProtocolLimits(4 << 20, 100, 100_000, chunk)))
        .build();
    send(new Hello(Message.VERSION, MALLORY, false, true));
    send(new SnapshotOffer(VersionVector.of(MALLORY, 1), size, new byte[32], chunk, hashes));
    assertThat(victim.metrics().sessionsClosed()).isEqualTo(1);
    assertThat(victim.metrics().lastCloseReason()).contains("LIMIT_EXCEEDED");
    assertThat(victim.vector()).isEqualTo(VersionVector.empty());
  }

  private void assertRejectedAndFetchedAgainAt(long offset, long rejected) {
    assertThat(victim.transferCounts()[1]).as("chunks rejected").isEqualTo(rejected);
    assertThat(lastFetch().offset()).as("fetched again").isEqualTo(offset);
    assertThat(state()).isEqualTo(stateBefore);
    assertThat(victim.metrics().sessionsClosed()).isZero();
  }

  private SnapshotFetch lastFetch() {
    for (int i = heard.size() - 1; i >= 0; i--) {
      if (heard.get(i) instanceof SnapshotFetch f) {
        return f;
      }
    }
    throw new AssertionError("no fetch heard: " + heard);
  }

  private void send(Message m) {
    attacker.send(TO_VICTIM, MessageCodec.encode(m));
    net.runFor(10);
  }

  private String state() {
    StringBuilder b = new StringBuilder(victim.vector().toString());
    for (String name : victim.objects()) {
      b.append(' ').append(name).append('=').append(HexFormat.of().formatHex(
          BinaryCodec.encode(SimCluster.objectOf(victim, name))));
    }
    return b.toString();
  }
}
