package io.tandem.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.bench.MvdsMessages.Id;
import io.tandem.bench.MvdsMessages.Message;
import io.tandem.bench.MvdsMessages.Payload;
import io.tandem.replication.sim.LinkConditions;
import io.tandem.replication.sim.SimulatedNetwork;
import io.tandem.replication.spi.PeerId;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The MVDS baseline behaves as the published specification says, on the simulator. */
class MvdsTest {

  private static final byte[] GROUP = new byte[32];

  private final SimulatedNetwork net = new SimulatedNetwork(7);
  private final Map<String, List<Message>> received = new HashMap<>();

  private Map<String, Mvds> group(Mvds.Mode mode, String... names) {
    Map<String, Mvds> nodes = new HashMap<>();
    for (String n : names) {
      List<PeerId> peers = new ArrayList<>();
      for (String p : names) {
        if (!p.equals(n)) {
          peers.add(PeerId.of(p));
        }
      }
      received.put(n, new ArrayList<>());
      nodes.put(n, new Mvds(mode, GROUP, peers, net.endpoint(n), net.clock(),
          m -> received.get(n).add(m)));
    }
    nodes.values().forEach(node -> node.start(net.scheduler(), 500));
    return nodes;
  }

  @Test
  void batchModeDeliversEveryMessageToEveryPeerWithoutLossAndClearsItsState() {
    Map<String, Mvds> nodes = group(Mvds.Mode.BATCH, "a", "b", "c");
    for (int i = 0; i < 5; i++) {
      nodes.get("a").append(("hello " + i).getBytes());
      nodes.get("b").append(("hi " + i).getBytes());
    }
    net.runFor(10_000);

    for (String n : List.of("a", "b", "c")) {
      assertThat(received.get(n)).as(n).hasSize(10);
      assertThat(nodes.get(n).pending()).as(n + " state").isZero();
    }
  }

  @Test
  void interactiveModeOffersRequestsThenSendsAndAcks() {
    Map<String, Mvds> nodes = group(Mvds.Mode.INTERACTIVE, "a", "b");
    Message m = nodes.get("a").append("once".getBytes());

    net.runFor(600); // epoch 1: OFFER
    assertThat(nodes.get("a").entry(PeerId.of("b"), m.id()).type()).isEqualTo(Mvds.Type.OFFER);
    assertThat(nodes.get("b").entry(PeerId.of("a"), m.id()).type())
        .isEqualTo(Mvds.Type.REQUEST);
    net.runFor(1_000); // epoch 2: REQUEST; a answers with the MESSAGE
    assertThat(nodes.get("a").entry(PeerId.of("b"), m.id()).type())
        .isEqualTo(Mvds.Type.MESSAGE);
    net.runFor(1_000); // epoch 3: MESSAGE
    assertThat(nodes.get("b").holds(m.id())).isTrue();
    net.runFor(1_000); // epoch 4: ACK
    assertThat(nodes.get("a").pending()).isZero();
    assertThat(nodes.get("b").pending()).isZero();
  }

  @Test
  void unansweredRecordsAreResentWithExponentialBackoffThatWrapsAround() {
    net.conditionsForAll(LinkConditions.PERFECT.withDrop(1));
    Map<String, Mvds> nodes = group(Mvds.Mode.BATCH, "a", "b");
    Message m = nodes.get("a").append("lost".getBytes());
    List<Long> sendEpochs = new ArrayList<>();
    int lastCount = 0;
    for (int epoch = 0; epoch < 300; epoch++) {
      net.runFor(1_000);
      Mvds.Entry e = nodes.get("a").entry(PeerId.of("b"), m.id());
      if (e.sendCount() != lastCount) {
        lastCount = e.sendCount();
        sendEpochs.add((long) epoch);
      }
    }
    // Sent at epochs 0, 1, 3, 7, 15, 31, 63, 127, then 128: the interval doubles to 64, then 1.
    assertThat(sendEpochs).startsWith(0L, 1L, 3L, 7L, 15L, 31L, 63L, 127L, 128L, 130L);
    assertThat(Mvds.nextSendEpoch(10, 1)).isEqualTo(11);
    assertThat(Mvds.nextSendEpoch(10, 7)).isEqualTo(74);
    assertThat(Mvds.nextSendEpoch(10, 8)).isEqualTo(11);
  }

  @Test
  void payloadEncodesAsProtobufWithTheSpecFieldNumbers() {
    Message m = new Message(GROUP, 1_700_000_000L, new byte[150]);
    Id id = m.id();
    Payload p = new Payload(List.of(id), List.of(id), List.of(), List.of(m));
    ByteBuffer wire = MvdsMessages.encode(p);

    // ack and offer: 3-byte tag, 1-byte length, 32 bytes; message: 3 + 2 + (3+1+32 + 3+5 + 3+2+150)
    assertThat(wire.remaining()).isEqualTo(36 + 36 + 3 + 2 + 199);
    Payload back = MvdsMessages.decode(wire);
    assertThat(back.acks()).containsExactly(id);
    assertThat(back.offers()).containsExactly(id);
    assertThat(back.messages()).hasSize(1);
    assertThat(back.messages().get(0).id()).isEqualTo(id);
  }

  @Test
  void truncatedPayloadIsRefused() {
    ByteBuffer wire = MvdsMessages.encode(new Payload(List.of(new Message(GROUP, 1, new byte[3])
        .id()), List.of(), List.of(), List.of()));
    wire.limit(wire.limit() - 1);
    assertThatThrownBy(() -> MvdsMessages.decode(wire))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
