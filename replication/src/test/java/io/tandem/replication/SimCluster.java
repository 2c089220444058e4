package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.Crdt;
import io.tandem.crdt.Dot;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.crdt.codec.CodecException;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.protocol.MessageCodec;
import io.tandem.replication.protocol.SessionConfig;
import io.tandem.replication.sim.LinkConditions;
import io.tandem.replication.sim.NetworkStats;
import io.tandem.replication.sim.SimulatedNetwork;
import io.tandem.replication.spi.ReplicaStore;
import io.tandem.replication.spi.WallClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Replicas on a seeded simulated network, with a causality checker on every one of them and the
 * oracles the convergence properties compare against.
 */
final class SimCluster {

  static final long MIN_BACKOFF = 200;
  static final long MAX_BACKOFF = 3_000;

  final SimulatedNetwork net;
  final List<String> names = new ArrayList<>();
  final List<Replica> replicas = new ArrayList<>();
  final List<ReplicaStore> stores = new ArrayList<>();
  private final ClusterStores storage;
  final CausalityChecker checker = new CausalityChecker();
  final List<Dot> writeOrder = new ArrayList<>();
  /** Every write's record, kept as it was stored: compaction may drop it from the log later. */
  final Map<Dot, DeltaRecord> written = new HashMap<>();
  private final ReplicaConfig config;
  /** The replica that is a relay, or -1. */
  private final int relay;
  private long[] offsets;
  int restarts;
  /**
   * Ids whose store was wiped. Their records that only they held are gone, so any later record
   * of theirs that reached another replica can never be applied there (a feed is gap-free): it
   * may wait in a causal buffer for good, as nothing tells that the id is dead (no retired ids).
   */
  final Set<ReplicaId> wiped = new HashSet<>();

  SimCluster(long seed, int n, SyncMode mode) {
    this(seed, n, mode, new long[n]);
  }

  SimCluster(long seed, int n, SyncMode mode, long[] clockOffsets) {
    this(seed, n, mode, clockOffsets, c -> c);
  }

  /** A cluster in which replica {@code relay} is a relay (says so in its hello). */
  SimCluster(long seed, int n, SyncMode mode, int relay) {
    this(seed, n, mode, new long[n], c -> c, ClusterStores.IN_MEMORY, relay, Links.UNORDERED);
  }

  /** A cluster on links of the given kind. */
  SimCluster(long seed, int n, SyncMode mode, Links links) {
    this(seed, n, mode, new long[n], c -> c, ClusterStores.IN_MEMORY, -1, links);
  }

  /**
   * @param clockOffsets per replica, how far its wall clock is off true (virtual) time
   * @param tweak changes to the replicas' configuration
   */
  SimCluster(long seed, int n, SyncMode mode, long[] clockOffsets,
      UnaryOperator<ReplicaConfig> tweak) {
    this(seed, n, mode, clockOffsets, tweak, ClusterStores.IN_MEMORY);
  }

  /** @param storage where the replicas keep their records */
  SimCluster(long seed, int n, SyncMode mode, long[] clockOffsets,
      UnaryOperator<ReplicaConfig> tweak, ClusterStores storage) {
    this(seed, n, mode, clockOffsets, tweak, storage, -1, Links.UNORDERED);
  }

  /**
   * @param relay the replica that is a relay, or -1 for none
   * @param links the kind of links between the replicas
   */
  SimCluster(long seed, int n, SyncMode mode, long[] clockOffsets,
      UnaryOperator<ReplicaConfig> tweak, ClusterStores storage, int relay, Links links) {
    this.relay = relay;
    this.storage = storage;
    net = links.network(seed);
    net.setFrameKind(MessageCodec::kindOf);
    config = tweak.apply(ReplicaConfig.DEFAULT.withMode(mode).withSeed(seed).withTickMillis(100)
        .withSession(SessionConfig.DEFAULT.withBackoff(MIN_BACKOFF, MAX_BACKOFF)));
    this.offsets = clockOffsets.clone();
    for (int i = 0; i < n; i++) {
      String name = "r" + i;
      names.add(name);
      stores.add(storage.create(i));
      replicas.add(null);
      open(i, stores.get(i), net.endpoint(name), ReplicaId.of(0x1000L + i));
    }
  }

  /** @param id the id for a new store; a store that has one keeps it */
  private Replica open(int i, ReplicaStore store, io.tandem.replication.spi.Transport t,
      ReplicaId id) {
    long offset = offsets[i];
    WallClock clock = () -> net.clock().millis() + offset;
    ReplicaBuilder b = Replica.builder();
    if (store.replicaId().isEmpty()) {
      b.id(id); // a store that has an id keeps it, moved or not
    }
    Replica r = b.store(store).transport(t).clock(clock).scheduler(net.scheduler())
        .config(i == relay ? config.withSession(config.session().withRelay(true)) : config)
        .build();
    checker.watch(r);
    r.addListener(c -> {
      if (c.local()) {
        Dot d = new Dot(c.origin(), c.seq());
        writeOrder.add(d);
        written.put(d, store.readFeed(c.origin(), c.seq(), 1).get(0));
      }
    });
    replicas.set(i, r);
    return r;
  }

  /**
   * Restarts replica {@code i} as a process would: closes it, losing what it held in memory
   * (its causal buffer, its sessions), and opens it again from its store.
   */
  Replica restart(int i) {
    replicas.get(i).close();
    ReplicaStore store = storage.reopen(i, stores.get(i));
    stores.set(i, store);
    Replica r = open(i, store, net.restart(names.get(i)), replicas.get(i).id());
    restarts++;
    return r;
  }

  /**
   * Wipes replica {@code i} as a device whose storage was erased and whose app was reinstalled:
   * closes it, throws its store away (with whatever it had not sent), and opens a new replica
   * over an empty store at the same place in the network. An app gives no id and the builder
   * draws a random one for the empty store; here the new id is fixed, {@code 0x1000 + i +
   * 0x100 * (wipes so far)}, so that a seed still replays the run exactly.
   */
  Replica wipe(int i) {
    replicas.get(i).close();
    ReplicaStore store = storage.wiped(i, stores.get(i));
    stores.set(i, store);
    wiped.add(replicas.get(i).id());
    return open(i, store, net.restart(names.get(i)),
        ReplicaId.of(0x1000L + i + 0x100L * wiped.size()));
  }

  /**
   * Closes the last replica for good and leaves it out of every check from now on (settling,
   * convergence, the oracle): a device that is gone, not one that will come back.
   */
  void shutDownLast() {
    int last = replicas.size() - 1;
    replicas.get(last).close();
    replicas.remove(last);
    stores.remove(last);
    names.remove(last);
  }

  /**
   * Replaces replica {@code i}'s store by {@code other} (a backup of it restored, or a copy of
   * another's), as a process would after its files were swapped: closes it and opens it again
   * over {@code other}.
   */
  Replica swapStore(int i, ReplicaStore other) {
    replicas.get(i).close();
    stores.set(i, other);
    Replica r = open(i, other, net.restart(names.get(i)), ReplicaId.of(0x1000L + i));
    restarts++;
    return r;
  }

  ReplicaStore store(int i) {
    return stores.get(i);
  }

  Replica replica(int i) {
    return replicas.get(i);
  }

  /** Ends every fault: all online, no partition, perfect links. */
  void heal() {
    net.clearSchedules();
    for (String name : names) {
      net.setOnline(name, true);
    }
    net.heal();
    net.conditionsForAll(LinkConditions.PERFECT);
  }

  /**
   * Runs until the network is quiet and every replica holds the same records, or fails.
   *
   * @return the virtual time of the last frame sent
   */
  long settle(long maxMillis) {
    long deadline = net.now() + maxMillis;
    long quiet = 2 * MAX_BACKOFF + 500;
    while (true) {
      long last = net.runUntilQuiet(quiet, Math.max(quiet, deadline - net.now()));
      if (sameVectors() && buffersEmpty()) {
        return last;
      }
      if (net.now() >= deadline) {
        throw new AssertionError("no convergence by " + deadline + ": " + vectors()
            + " buffered " + buffered());
      }
      // Records held for a peer's fast clock wait silently: give time time.
      net.runFor(quiet);
    }
  }

  /**
   * What every schedule ends with once its faults are over: the replicas settle on the same
   * records and state, that state is the oracle's, causal delivery was never broken, no session
   * was closed as a violation, and the network then stays silent for 20 of the longest resend
   * waits.
   */
  void settleAndAssertConvergedAndSilent(long maxMillis) {
    settle(maxMillis);
    assertConverged();
    assertMatchesOracle();
    checker.assertNoViolation();
    for (Replica r : replicas) {
      assertThat(r.metrics().sessionsClosed()).as("sessions closed at %s: %s", r.id(),
          r.metrics().lastCloseReason()).isZero();
    }
    NetworkStats before = net.stats();
    net.runFor(20 * MAX_BACKOFF);
    NetworkStats after = net.stats().minus(before);
    assertThat(after.sent().frames()).as("frames after silence: %s", after.summary()).isZero();
  }

  /** Records replica {@code i} holds in its log, past its snapshot. */
  long logSize(int i) {
    return stores.get(i).vector().total() - stores.get(i).snapshot().vector().total();
  }

  boolean sameVectors() {
    VersionVector v = replicas.get(0).vector();
    return replicas.stream().allMatch(r -> r.vector().equals(v));
  }

  /** Every buffer is empty but for records of wiped feeds that can never be applied. */
  boolean buffersEmpty() {
    return replicas.stream().allMatch(r -> r.metrics().bufferedDeltas() <= stranded(r));
  }

  /**
   * How many buffered records {@code r} may hold for good: the records written under a wiped id
   * above the one after {@code r}'s counter for it (that one is lost, or {@code r} would have
   * it). 0 when nothing was wiped. With every vector equal, a buffered record is one nobody
   * applied, which only a wiped feed's can be: its author applied all the others.
   */
  long stranded(Replica r) {
    long n = 0;
    for (ReplicaId id : wiped) {
      long ofId = written.keySet().stream().filter(d -> d.replica().equals(id)).count();
      n += Math.max(0, ofId - r.vector().get(id) - 1);
    }
    return n;
  }

  List<VersionVector> vectors() {
    return replicas.stream().map(Replica::vector).toList();
  }

  List<Integer> buffered() {
    return replicas.stream().map(r -> r.metrics().bufferedDeltas()).toList();
  }

  /** Every replica holds the same vector and, object by object, the same encoded state. */
  void assertConverged() {
    VersionVector v = replicas.get(0).vector();
    Map<String, byte[]> first = encodedObjects(replicas.get(0));
    for (Replica r : replicas) {
      assertThat(r.vector()).as("vector of %s", r.id()).isEqualTo(v);
      assertThat((long) r.metrics().bufferedDeltas()).as("buffer of %s", r.id())
          .isLessThanOrEqualTo(stranded(r));
      Map<String, byte[]> mine = encodedObjects(r);
      assertThat(mine.keySet()).isEqualTo(first.keySet());
      mine.forEach((name, bytes) -> assertThat(bytes).as("%s at %s", name, r.id())
          .isEqualTo(first.get(name)));
    }
  }

  /**
   * The differential oracle: the state reached through the sync protocol equals the fold of all
   * writes' deltas in the order they were written (a causal order), and the full-state merge of
   * all replicas. Objects that self-destruct are left out.
   */
  void assertMatchesOracle() {
    Map<String, Crdt<?>> replay = new HashMap<>();
    Replica first = replicas.get(0);
    for (Dot d : writeOrder) {
      DeltaRecord r = written.get(d);
      if (r.object().equals(Expiry.OBJECT) || first.expiry.isDead(r.object(), Long.MAX_VALUE)) {
        continue; // self-destructing objects: ExpiryConvergenceTest checks them
      }
      Crdt<?> delta = decode(r);
      replay.merge(r.object(), Crdts.merge(Crdts.emptyLike(delta), delta), Crdts::merge);
    }
    Map<String, Crdt<?>> fullStateMerge = new HashMap<>();
    for (Replica rep : replicas) {
      for (String name : rep.objects()) {
        Crdt<?> state = objectOf(rep, name);
        fullStateMerge.merge(name, state, Crdts::merge);
      }
    }
    assertThat(replay.keySet()).isEqualTo(fullStateMerge.keySet());
    for (Replica rep : replicas) {
      for (String name : replay.keySet()) {
        byte[] expected = BinaryCodec.encode(replay.get(name));
        assertThat(BinaryCodec.encode(objectOf(rep, name))).as("%s at %s vs replay", name,
            rep.id()).isEqualTo(expected);
        assertThat(BinaryCodec.encode(fullStateMerge.get(name))).isEqualTo(expected);
      }
    }
  }

  static Map<String, byte[]> encodedObjects(Replica r) {
    Map<String, byte[]> out = new HashMap<>();
    for (String name : r.objects()) {
      out.put(name, BinaryCodec.encode(objectOf(r, name)));
    }
    return out;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static Crdt<?> objectOf(Replica r, String name) {
    // Read with the stored value's own type: get() checks types against the empty given.
    for (Crdt empty : EMPTIES) {
      try {
        return (Crdt<?>) r.get(name, empty);
      } catch (IllegalArgumentException wrongType) {
        // try the next kind
      }
    }
    throw new AssertionError("no kind fits " + name);
  }

  private static final List<Crdt<?>> EMPTIES = List.of(io.tandem.crdt.OrMap.empty(),
      io.tandem.crdt.OrSet.empty(), io.tandem.crdt.LwwRegister.empty(),
      io.tandem.crdt.MvRegister.empty(), io.tandem.crdt.GCounter.empty(),
      io.tandem.crdt.PnCounter.empty());

  static Crdt<?> decode(DeltaRecord r) {
    try {
      return (Crdt<?>) BinaryCodec.decode(r.payload(), r.origin());
    } catch (CodecException e) {
      throw new AssertionError(e);
    }
  }

  Set<String> objectNames() {
    Set<String> s = new TreeSet<>();
    replicas.forEach(r -> s.addAll(r.objects()));
    return s;
  }
}
