package io.tandem.replication;

import io.tandem.crdt.ReplicaId;
import io.tandem.replication.memory.InMemoryReplicaStore;
import io.tandem.replication.spi.ReplicaStore;
import io.tandem.replication.spi.Scheduler;
import io.tandem.replication.spi.Transport;
import io.tandem.replication.spi.WallClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Assembles a {@link Replica}:
 * <pre>{@code
 * Replica phone = Replica.builder()
 *     .store(store).transport(transport).mode(SyncMode.BATCH).build();
 * }</pre>
 * A store that already belongs to a replica reopens it under its id; a new store gets the id
 * given here, or a fresh random one.
 */
public final class ReplicaBuilder {

  private ReplicaId id;
  private ReplicaStore store;
  private final List<Transport> transports = new ArrayList<>();
  private WallClock clock = WallClock.system();
  private Scheduler scheduler;
  private ReplicaConfig config = ReplicaConfig.DEFAULT;

  ReplicaBuilder() {}

  /**
   * The id for a new store; a store that has one keeps it. An id the store retired (its replica
   * found it reused and moved: {@link Replica#retiredIds}) is refused by {@link #build}.
   */
  public ReplicaBuilder id(ReplicaId id) {
    this.id = Objects.requireNonNull(id);
    return this;
  }

  public ReplicaBuilder store(ReplicaStore store) {
    this.store = Objects.requireNonNull(store);
    return this;
  }

  /** Adds a transport; a replica may sync over several at once (TCP and a file, say). */
  public ReplicaBuilder transport(Transport transport) {
    transports.add(Objects.requireNonNull(transport));
    return this;
  }

  public ReplicaBuilder clock(WallClock clock) {
    this.clock = Objects.requireNonNull(clock);
    return this;
  }

  /** Runs the replica's timers; by default a daemon thread of its own. */
  public ReplicaBuilder scheduler(Scheduler scheduler) {
    this.scheduler = Objects.requireNonNull(scheduler);
    return this;
  }

  public ReplicaBuilder mode(SyncMode mode) {
    this.config = config.withMode(mode);
    return this;
  }

  public ReplicaBuilder config(ReplicaConfig config) {
    this.config = Objects.requireNonNull(config);
    return this;
  }

  /**
   * Opens the replica: loads what the store holds and starts syncing.
   *
   * @throws IllegalStateException if the store belongs to another replica than the id given,
   *     or retired it
   */
  public Replica build() {
    ReplicaStore s = store != null ? store : new InMemoryReplicaStore();
    boolean ownScheduler = scheduler == null;
    Scheduler sched = ownScheduler ? Scheduler.system("tandem-replica") : scheduler;
    return new Replica(id, s, transports, clock, sched, ownScheduler, config);
  }
}
