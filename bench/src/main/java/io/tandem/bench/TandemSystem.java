package io.tandem.bench;

import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import io.tandem.replication.Replica;
import io.tandem.replication.ReplicaConfig;
import io.tandem.replication.SyncMode;
import io.tandem.replication.memory.InMemoryReplicaStore;
import io.tandem.replication.protocol.MessageCodec;
import io.tandem.replication.sim.SimulatedNetwork;
import io.tandem.replication.spi.Transport;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Tandem as a {@link SyncSystem}: one replica per name, with its default settings in the given
 * mode. A message is one add to a shared chat log, an {@code OrSet<String>}, so the k-th message
 * of a node is record k + 1 of that node's feed.
 */
final class TandemSystem implements SyncSystem {

  private static final String LOG = "chat";

  private final SyncMode mode;
  private final String label;
  private final boolean relay;
  private final Map<String, Replica> replicas = new LinkedHashMap<>();

  TandemSystem(SyncMode mode, String label) {
    this.mode = mode;
    this.label = label;
    this.relay = label.equals("relay");
  }

  @Override
  public String name() {
    return "Tandem " + label + " " + mode.name().toLowerCase();
  }

  @Override
  public void start(SimulatedNetwork net, List<String> names,
      Function<String, Transport> transports, long seed, Deliveries deliveries) {
    net.setFrameKind(MessageCodec::kindOf);
    Map<ReplicaId, String> nameOf = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      nameOf.put(ReplicaId.of(0x7A4D_0000_0000_0001L + i), names.get(i));
    }
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i);
      ReplicaId id = ReplicaId.of(0x7A4D_0000_0000_0001L + i);
      Replica r = Replica.builder().id(id).store(new InMemoryReplicaStore())
          .transport(transports.apply(n)).clock(net.clock()).scheduler(net.scheduler())
          .config(config(n, seed + i)).build();
      r.addListener(c -> {
        if (!c.local() && c.object().equals(LOG)) {
          deliveries.delivered(nameOf.get(c.origin()), (int) c.seq() - 1, n);
        }
      });
      replicas.put(n, r);
    }
  }

  /** X is a relay in the relay rows (it says so in its hello), a device otherwise. */
  private ReplicaConfig config(String node, long seed) {
    ReplicaConfig c = ReplicaConfig.DEFAULT.withMode(mode).withSeed(seed);
    return relay && node.equals(Experiment.X)
        ? c.withSession(c.session().withRelay(true)) : c;
  }

  @Override
  public void write(String author, int k, byte[] body) {
    String element = new String(body, StandardCharsets.US_ASCII);
    replicas.get(author).update(LOG, OrSet.<String>empty(), (s, c) -> s.add(c.replica(), element));
  }

  @Override
  public void close() {
    replicas.values().forEach(Replica::close);
    replicas.clear();
  }
}
