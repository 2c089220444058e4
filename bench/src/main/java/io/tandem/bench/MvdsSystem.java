package io.tandem.bench;

import io.tandem.replication.sim.SimulatedNetwork;
import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.Transport;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/** The MVDS baseline as a {@link SyncSystem}: one {@link Mvds} node per name, one group. */
final class MvdsSystem implements SyncSystem {

  /**
   * Where each node's epochs fall within the second: away from the whole seconds at which
   * world (a) decides a slot and from the writes, so that no two events tie.
   */
  static final long EPOCH_PHASE_MILLIS = 500;

  private final Mvds.Mode mode;
  private final Map<String, Mvds> nodes = new LinkedHashMap<>();

  MvdsSystem(Mvds.Mode mode) {
    this.mode = mode;
  }

  @Override
  public String name() {
    return "MVDS " + mode.name().toLowerCase();
  }

  @Override
  public void start(SimulatedNetwork net, List<String> names,
      Function<String, Transport> transports, long seed, Deliveries deliveries) {
    net.setFrameKind(frame -> "payload");
    byte[] group = new byte[MvdsMessages.ID_BYTES];
    new SplittableRandom(seed).nextBytes(group);
    for (String n : names) {
      List<PeerId> peers = names.stream().filter(p -> !p.equals(n)).map(PeerId::of).toList();
      nodes.put(n, new Mvds(mode, group, peers, transports.apply(n), net.clock(), m -> {
        String key = new String(m.body(), 0, 16, StandardCharsets.US_ASCII).trim();
        String author = key.substring(0, key.indexOf('#'));
        if (!author.equals(n)) {
          deliveries.delivered(author, Integer.parseInt(key.substring(key.indexOf('#') + 1)), n);
        }
      }));
    }
    nodes.values().forEach(node -> node.start(net.scheduler(), EPOCH_PHASE_MILLIS));
  }

  @Override
  public void write(String author, int k, byte[] body) {
    nodes.get(author).append(body);
  }

  @Override
  public void close() {
    nodes.clear();
  }
}
