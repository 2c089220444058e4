package io.tandem.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.replication.sim.SimulatedNetwork;
import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.PeerListener;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The worlds of part 4 and the oracle read the same schedule the network follows. */
class WorldTest {

  private static final long T0 = SimulatedNetwork.EPOCH_MILLIS;
  private static final Experiment.Setting SETTING =
      new Experiment.Setting(11, 600_000, 3_600_000, 150, 60_000, 1);

  @Test
  void theNetworkLinksTwoDevicesExactlyWhenTheWindowsSayBothAreOnline() {
    World world = Experiment.windows(SETTING, false);
    SimulatedNetwork net = new SimulatedNetwork(1);
    for (String n : Experiment.NODES) {
      net.endpoint(n).start(new Quiet());
    }
    world.apply(net, SETTING.horizon());
    for (long t = 0; t < SETTING.horizon(); t += 7_000) {
      net.runUntil(T0 + t);
      long now = net.now();
      assertThat(net.connected(Experiment.A, Experiment.B))
          .as("at +%d ms", t)
          .isEqualTo(world.earliestSend(Experiment.A, Experiment.B, now) == now);
    }
  }

  @Test
  void phonesHaveTheSameWindowsWhetherTheThirdNodeIsADeviceOrARelay() {
    OnlineWindows device = (OnlineWindows) Experiment.windows(SETTING, false);
    OnlineWindows relay = (OnlineWindows) Experiment.windows(SETTING, true);
    for (long t = T0; t < T0 + SETTING.horizon(); t += 13_000) {
      assertThat(relay.earliestSend(Experiment.A, Experiment.B, t))
          .isEqualTo(device.earliestSend(Experiment.A, Experiment.B, t));
    }
    assertThat(relay.earliestSend(Experiment.X, Experiment.X, T0)).isEqualTo(T0);
    assertThat(device.onlineShare(Experiment.A, SETTING.horizon())).isBetween(0.05, 0.15);
  }

  @Test
  void anAlwaysOnlineRelayNeverMakesTheOracleLater() {
    Oracle direct = new Oracle(Experiment.windows(SETTING, false), Experiment.NODES);
    Oracle relay = new Oracle(Experiment.windows(SETTING, true), Experiment.NODES);
    for (long t = T0; t < T0 + SETTING.writeMillis(); t += 5_000) {
      long viaRelay = relay.arrival(Experiment.A, t, Experiment.B);
      assertThat(viaRelay).isGreaterThan(t).isLessThanOrEqualTo(
          direct.arrival(Experiment.A, t, Experiment.B));
    }
  }

  @Test
  void droppedSlotsCarryAboutOneSendInTenAndTheOracleWaitsForACarryingSlot() {
    DropSlots world = new DropSlots(3, T0, Experiment.NODES, 0.9);
    int carried = 0;
    for (long slot = 0; slot < 10_000; slot++) {
      carried += world.carries(Experiment.A, Experiment.B, slot) ? 1 : 0;
    }
    assertThat(carried).isBetween(850, 1150);
    long send = world.earliestSend(Experiment.A, Experiment.B, T0 + 400);
    assertThat(world.carries(Experiment.A, Experiment.B, (send - T0) / 1000)).isTrue();
    Oracle oracle = new Oracle(world, List.of(Experiment.A, Experiment.B));
    assertThat(oracle.arrival(Experiment.A, T0 + 400, Experiment.B))
        .isEqualTo(send + World.LINK_DELAY_MILLIS);
  }

  private static final class Quiet implements PeerListener {
    @Override
    public void peerUp(PeerId peer) {}

    @Override
    public void peerDown(PeerId peer) {}

    @Override
    public void frame(PeerId peer, ByteBuffer frame) {}
  }
}
