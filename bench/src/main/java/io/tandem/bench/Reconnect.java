package io.tandem.bench;

import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.crdt.codec.CodecException;
import io.tandem.replication.Replica;
import io.tandem.replication.ReplicaConfig;
import io.tandem.replication.SyncMode;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.memory.InMemoryReplicaStore;
import io.tandem.replication.protocol.MessageCodec;
import io.tandem.replication.protocol.ProtocolException;
import io.tandem.replication.sim.LinkConditions;
import io.tandem.replication.sim.NetworkStats;
import io.tandem.replication.sim.SimulatedNetwork;
import io.tandem.replication.spi.Scheduler;
import io.tandem.replication.spi.Snapshot;
import io.tandem.replication.spi.WallClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Part 3 for Tandem: a device and a peer that both know {@code F} feeds meet again after
 * {@code U} of those feeds grew on the peer's side, on the simulator, where every frame is
 * counted by kind and every one-way trip takes the same time, so bytes and round trips are
 * exact and the run is deterministic.
 *
 * <p>The feeds are real: each is one write of a throwaway replica (no transport, no timers), and
 * device and peer open on stores that already hold those records, compacted into a snapshot, as
 * after a restart. The first
 * {@code maxUpdated} writers stay open to write again; the peer takes their new records by
 * bundle while the device is offline.
 */
final class Reconnect implements AutoCloseable {

  /** One-way delay of the simulated link; round trips are read off virtual time. */
  static final long ONE_WAY_MILLIS = 50;

  private static final ReplicaId DEVICE = ReplicaId.of(0xDE71_CE00_0000_0001L);
  private static final ReplicaId PEER = ReplicaId.of(0xDE71_CE00_0000_0002L);
  private static final String OBJECT = "feeds";
  private static final Scheduler NO_TIMERS = (delay, task) -> () -> { };
  private static final WallClock FIXED = () -> SimulatedNetwork.EPOCH_MILLIS;

  private final int feeds;
  /** The first record of every feed, as each writer stored it. */
  private final List<DeltaRecord> seed = new ArrayList<>();
  private final Snapshot snapshot;
  private final List<Replica> writers = new ArrayList<>();
  private long runs;

  /** Writes {@code feeds} feeds, one record each, and keeps {@code maxUpdated} writers. */
  Reconnect(int feeds, int maxUpdated) {
    this.feeds = feeds;
    for (int i = 0; i < feeds; i++) {
      InMemoryReplicaStore store = new InMemoryReplicaStore();
      Replica w = Replica.builder().id(ReplicaId.of(0x7EED_0000_0000_0000L + i + 1)).store(store)
          .clock(FIXED).scheduler(NO_TIMERS).build();
      write(w, "f" + i);
      seed.addAll(store.readFeed(w.id(), 1, 1));
      if (i < maxUpdated) {
        writers.add(w);
      } else {
        w.close();
      }
    }
    // What the feeds add up to, so device and peer open on a snapshot rather than replaying.
    OrSet<String> all = OrSet.empty();
    for (DeltaRecord r : seed) {
      try {
        all = all.merge(feedDelta(r));
      } catch (CodecException e) {
        throw new IllegalStateException(e);
      }
    }
    InMemoryReplicaStore probe = new InMemoryReplicaStore();
    probe.append(seed);
    snapshot = new Snapshot(probe.vector(), Map.of(OBJECT, BinaryCodec.encode(all)));
    probe.close();
  }

  /** Reconnects after {@code updated} feeds grew on the peer. */
  Handshake run(int updated, SyncMode mode) {
    if (updated > writers.size()) {
      throw new IllegalArgumentException("only " + writers.size() + " writers kept");
    }
    long seed0 = ++runs;
    SimulatedNetwork net = new SimulatedNetwork(seed0);
    net.setFrameKind(MessageCodec::kindOf);
    net.conditionsForAll(new LinkConditions(0, 0, ONE_WAY_MILLIS, ONE_WAY_MILLIS));
    ReplicaConfig config = ReplicaConfig.DEFAULT.withMode(mode).withSeed(seed0);
    try (Replica device = onNet(net, "device", DEVICE, config, stored());
        Replica peer = onNet(net, "peer", PEER, config, stored())) {
      // A first session, so that this is a reconnect of two devices that have met.
      net.runUntilQuiet(1_000, 600_000);
      net.setOnline("device", false);
      net.runFor(1_000);
      for (int i = 0; i < updated; i++) {
        Replica w = writers.get(i);
        write(w, "f" + i + "." + seed0);
        peer.importBundle(w.exportBundle(peer.vector()));
      }
      long[] caughtAt = {-1};
      VersionVector target = peer.vector();
      device.addListener(c -> {
        if (caughtAt[0] < 0 && device.vector().descends(target)) {
          caughtAt[0] = net.now();
        }
      });
      net.resetStats();
      long start = net.now();
      net.setOnline("device", true);
      long lastSend = net.runUntilQuiet(1_000, 600_000);
      if (!device.vector().equals(peer.vector())) {
        throw new IllegalStateException("device did not catch up: " + device.vector().size()
            + " feeds vs " + peer.vector().size());
      }
      NetworkStats stats = net.stats();
      Map<String, Long> byKind = new TreeMap<>();
      stats.byKind().forEach((kind, t) -> {
        if (!kind.equals("deltas")) {
          byKind.put(kind, t.bytes());
        }
      });
      long bytes = stats.sent().bytes() - stats.kind("deltas").bytes();
      long frames = stats.sent().frames() - stats.kind("deltas").frames();
      double rtt = 2.0 * ONE_WAY_MILLIS;
      double quiet = (lastSend + ONE_WAY_MILLIS - start) / rtt;
      double caught = updated == 0 ? 0 : (caughtAt[0] - start) / rtt;
      return new Handshake(feeds, updated, mode.name().toLowerCase(), bytes, frames, quiet,
          caught, byKind);
    } catch (ProtocolException e) {
      throw new IllegalStateException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static OrSet<String> feedDelta(DeltaRecord r) throws CodecException {
    return (OrSet<String>) BinaryCodec.decode(r.payload(), r.origin());
  }

  private static void write(Replica w, String element) {
    w.update(OBJECT, OrSet.<String>empty(), (s, c) -> s.add(c.replica(), element));
  }

  /** A store that already holds every feed, compacted: the device opens on what it knew. */
  private InMemoryReplicaStore stored() {
    InMemoryReplicaStore store = new InMemoryReplicaStore();
    store.append(seed);
    store.saveSnapshot(snapshot);
    return store;
  }

  private static Replica onNet(SimulatedNetwork net, String name, ReplicaId id,
      ReplicaConfig config, InMemoryReplicaStore store) {
    return Replica.builder().id(id).store(store)
        .transport(net.endpoint(name)).clock(net.clock()).scheduler(net.scheduler())
        .config(config).build();
  }

  @Override
  public void close() {
    writers.forEach(Replica::close);
    writers.clear();
  }
}
