package io.tandem.storage.h2;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.spi.PartialSnapshot;
import io.tandem.replication.spi.PendingAppend;
import io.tandem.replication.spi.ReplicaStore;
import io.tandem.replication.spi.Snapshot;
import io.tandem.replication.spi.StoreException;
import io.tandem.replication.spi.SyncBase;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A {@link ReplicaStore} on an embedded H2 database file, {@code tandem.mv.db} in a directory of
 * its own, that survives {@code kill -9} at any moment.
 *
 * <pre>{@code
 * try (H2ReplicaStore store = H2ReplicaStore.open(H2ReplicaStore.defaultDirectory())) {
 *   Replica phone = Replica.builder().store(store).transport(transport).build();
 * }
 * }</pre>
 *
 * <p>Durability: an append is written to the store's {@link Journal} before it returns, and the
 * journal's records reach the database in bulk, a checkpoint commit per
 * {@link #CHECKPOINT_RECORDS} records (an H2 commit costs about the same for one record as for
 * hundreds). H2 runs with {@code WRITE_DELAY=0}, so a commit is in the file before the journal is
 * emptied (with H2's default delay a SIGKILL lost every committed row); see {@link Durability}
 * for power loss. In {@link Durability#PROCESS_CRASH_SAFE} a file that was
 * not closed cleanly is rewritten as it is opened, so that a power cut that took back commits
 * others built on cannot leave H2 two states to choose from (StoreFiles.rewrite); that costs a
 * copy of the live data after each crash. Concurrent appends share one journal write
 * ({@link GroupCommit}), and a checkpoint writes one row per feed, not one per delta: H2 writes a
 * chunk per commit, which caps one-commit-per-delta near 3k/s. If checkpoints keep failing (the
 * database cannot write while the journal can), appends are refused once the journal holds
 * {@link #MAX_TAIL_RECORDS} records, which the store keeps in memory until they reach the
 * database.
 *
 * <p>Ownership: one process owns a store; H2's file lock (never {@code FILE_LOCK=NO}) refuses a
 * second process and this class refuses a second handle in the same process, both with a
 * {@link StoreLockedException}. {@link #close()} closes the database; a shutdown hook closes a
 * store left open at exit, so nothing relies on H2's {@code DB_CLOSE_ON_EXIT}.
 *
 * <p>Damage: a truncated or altered file, a schema from a newer build, a row that fails its
 * checksum: each is a typed {@link StoreException} ({@link StoreCorruptedException},
 * {@link UnsupportedSchemaException}), never a silently empty or shorter replica. Opening checks
 * the file's structure; rows are checked as they are read, and {@link #verify()} reads them all.
 *
 * <p>Compaction: {@link #saveSnapshot} replaces the snapshot and deletes, in the same
 * transaction, the feed rows it covers wholly; a row straddling the snapshot's vector stays, but
 * its covered records are no longer served. Once the file has doubled since it was last
 * compacted, saving a snapshot also {@link #compact() compacts} it, so the file stays
 * proportional to the live state and the unstable tail. The snapshot can be read in chunks by offset
 * ({@link #snapshotChunk}) and checked by {@link #snapshotHash()}, so an interrupted transfer
 * resumes where it stopped.
 *
 * <p>Catching up: {@link #installSnapshot} takes a snapshot fetched from a peer, covering records
 * never held, in the same single transaction; the chunks of a transfer under way are kept
 * ({@link #appendPartialSnapshot}) and survive a restart; and the sync base of each peer is kept,
 * lazily ({@link #saveSyncBase}).
 */
public final class H2ReplicaStore implements ReplicaStore {

  /** The database's base name in its directory: the file is {@code tandem.mv.db}. */
  static final String NAME = "tandem";
  private static final System.Logger LOG = System.getLogger(H2ReplicaStore.class.getName());
  private static final int MAX_QUEUED_APPENDS = 1024;
  private static final int MAX_GROUP_RECORDS = 64 * 1024;

  private final Path dir;
  private final Path key;
  private final Durability durability;
  private final Thread shutdownHook;
  private final GroupCommit commits;
  private final ReentrantLock lock = new ReentrantLock();

  // Guarded by lock.
  private final Database db;
  private final Witness witness;
  private final Journal journal;
  /**
   * Per feed, the records acknowledged from the journal and not yet checkpointed into the
   * database: consecutive, ending at the feed's end in {@link #vector}.
   */
  private final Map<ReplicaId, List<DeltaRecord>> tail = new LinkedHashMap<>();
  private int tailRecords;
  private long tailWeight;
  /** The tail's size that sets off the next checkpoint: further on after one failed. */
  private int checkpointRecords = CHECKPOINT_RECORDS;
  private long checkpointWeight = CHECKPOINT_WEIGHT;
  /** Why appends are refused, since {@link #refusingSince}: the tail is full and cannot go. */
  private StoreException refusing;
  private long refusingSince;
  private long failedCheckpoints;
  private long checkpoints;
  private boolean closed;
  /** Set once the store has read damage: it then closes without writing ({@link #close}). */
  private volatile boolean damaged;
  private ReplicaId id;
  private final Set<ReplicaId> retired = new LinkedHashSet<>();
  private VersionVector vector;
  private SnapshotTable.Facts snapshot;
  private final Map<ReplicaId, VersionVector> peers = new LinkedHashMap<>();
  private final Map<ReplicaId, SyncBase> bases = new LinkedHashMap<>();
  /** Bases saved but not yet written: they ride on the next commit ({@link #saveSyncBase}). */
  private final Set<ReplicaId> unwrittenBases = new LinkedHashSet<>();
  private final int openedAtVersion;
  private long groupCommits;
  private int baseSavesPending;
  /** The file's size when last compacted (or opened): what {@link #reclaim} measures against. */
  private long compactedSize;
  /** Purges that changed the store since it was opened ({@link #saveSnapshotUnlessPurged}). */
  private long purges;

  H2ReplicaStore(Path dir, Path key, Durability durability, String via, Connection conn)
      throws SQLException {
    this.dir = dir;
    this.key = key;
    this.durability = durability;
    String name = dir.toString();
    this.openedAtVersion = Schema.open(conn, name); // first: upgrades before anything reads
    this.id = IdentityTables.replicaId(conn, name).orElse(null);
    retired.addAll(IdentityTables.retired(conn, name));
    this.snapshot = SnapshotTable.facts(conn, name);
    this.db = new Database(dir.resolve(NAME), via, name, durability, conn);
    this.vector = db.feeds().vector(snapshot.vector());
    peers.putAll(IdentityTables.load(conn, name));
    bases.putAll(ResumeTables.syncBases(conn, name));
    conn.commit();
    // The journal orders nothing across writes (each entry carries its checksum), so it skips
    // the ordered writes H2 needs, and their syncs.
    this.journal = journal(dir, via.startsWith(OrderedWrites.via())
        ? via.substring(OrderedWrites.via().length()) : via);
    try {
      this.witness = witness(dir, via, vector);
    } catch (RuntimeException e) {
      closeQuietly(journal);
      throw e;
    }
    try {
      journal.cut(); // only now: a journal missing acknowledged records stays whole as evidence
    } catch (IOException e) {
      closeQuietly(journal);
      closeQuietly(witness);
      throw new StoreException("cannot use " + Journal.file(dir) + ": " + e, e);
    }
    this.compactedSize = fileSize();
    this.commits = new GroupCommit(this::commitGroup, MAX_QUEUED_APPENDS, MAX_GROUP_RECORDS,
        Long.getLong(GROUP_SPACING_PROPERTY, GROUP_SPACING_MICROS));
    this.shutdownHook = new Thread(this::close, "tandem-h2-close " + dir.getFileName());
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Opens the store's {@link Journal} and takes the records it holds beyond the database into
   * the tail, as if appended again.
   *
   * @throws StoreCorruptedException if a journal run leaves a gap in its feed or does not decode
   */
  private Journal journal(Path dir, String via) {
    Journal j;
    try {
      j = Journal.open(dir, via);
    } catch (IOException e) {
      throw new StoreException("cannot use " + Journal.file(dir) + ": " + e, e);
    }
    try {
      for (List<DeltaRecord> run : j.replay()) {
        for (DeltaRecord r : run) {
          long held = vector.get(r.origin());
          if (r.seq() <= held) {
            continue; // checkpointed before the journal was emptied
          }
          if (r.seq() != held + 1) {
            throw new StoreCorruptedException("journal " + Journal.file(dir) + " holds "
                + r.origin() + " seq " + r.seq() + " but the store ends that feed at " + held);
          }
          toTail(r);
        }
      }
      return j;
    } catch (IOException e) {
      closeQuietly(j);
      throw new StoreException("cannot read " + Journal.file(dir) + ": " + e, e);
    } catch (RuntimeException e) {
      closeQuietly(j);
      throw e;
    }
  }

  private void toTail(DeltaRecord r) {
    tail.computeIfAbsent(r.origin(), o -> new ArrayList<>()).add(r);
    tailRecords++;
    tailWeight += r.weight();
    vector = vector.with(r.origin(), r.seq());
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // the failure that led here is the one reported
    }
  }

  /**
   * Opens the store's {@link Witness} and checks the database against it.
   *
   * @throws StoreCorruptedException if the database holds fewer records than it acknowledged
   */
  private static Witness witness(Path dir, String via, VersionVector vector) {
    try {
      Witness w = Witness.open(dir, via);
      long witnessed = w.read();
      if (witnessed > vector.total()) {
        w.close();
        throw new StoreCorruptedException("store " + dir + " lost acknowledged writes: it "
            + "holds " + vector.total() + " records, " + witnessed + " were acknowledged (H2 "
            + "or the journal came back older after a crash or power cut). Its replica must not "
            + "go on, or it would issue sequence numbers again: move the store aside with "
            + "H2ReplicaStore.quarantine and recover from a trusted device");
      }
      if (witnessed < vector.total()) {
        w.write(vector.total(), false);
      }
      return w;
    } catch (IOException e) {
      throw new StoreException("cannot use " + Witness.file(dir) + ": " + e, e);
    }
  }

  // ---- opening ----

  /** Opens, or creates, the store in {@code dir}, safe against process crashes. */
  public static H2ReplicaStore open(Path dir) {
    return open(dir, Durability.PROCESS_CRASH_SAFE);
  }

  /**
   * Opens, or creates, the store in {@code dir}: the directory is created if needed and holds
   * the database file {@code tandem.mv.db}. A store of an older schema is upgraded.
   *
   * @throws StoreLockedException if another process, or another handle here, has it open
   * @throws StoreCorruptedException if the file is damaged
   * @throws UnsupportedSchemaException if a newer build of Tandem wrote it
   * @throws StoreException if it cannot be opened otherwise (permissions, disk)
   */
  public static H2ReplicaStore open(Path dir, Durability durability) {
    return open(dir, durability, "");
  }

  /**
   * As {@link #open(Path, Durability)}, with the database's file access going through the H2
   * file systems {@code via} (FilePath schemes such as {@code "powercut:"}). Only tests use it:
   * a power cut or a full disk can only be simulated below H2, where its writes and syncs pass.
   */
  static H2ReplicaStore open(Path dir, Durability durability, String via) {
    Objects.requireNonNull(durability, "durability");
    // Power-loss safety needs H2's writes ordered by syncs, which H2 does not do itself.
    String files = durability == Durability.POWER_LOSS_SAFE ? OrderedWrites.via() + via : via;
    // A power-loss-safe store loses no commit others built on, so it leaves no abandoned state.
    boolean rewriteAfterCrash = durability == Durability.PROCESS_CRASH_SAFE;
    return StoreFiles.open(dir.toAbsolutePath().normalize(), files, rewriteAfterCrash,
        (abs, key, c) ->
        new H2ReplicaStore(abs, key, durability, files, c));
  }

  /**
   * Where a store lives by default: {@code $XDG_DATA_HOME/tandem} (else
   * {@code ~/.local/share/tandem}) on Linux and other Unix systems,
   * {@code ~/Library/Application Support/Tandem} on macOS, {@code %LOCALAPPDATA%\Tandem} on
   * Windows. One directory per replica: a second replica in one process needs a path of its own.
   */
  public static Path defaultDirectory() {
    return StoreFiles.defaultDirectory(System.getenv(), System.getProperty("os.name", ""),
        System.getProperty("user.home"));
  }

  /** The database file of the store in {@code dir}. */
  public static Path databaseFile(Path dir) {
    return StoreFiles.databaseFile(dir);
  }

  /**
   * Moves a damaged store's file aside, to {@code tandem.damaged-<time>.mv.db} in the same
   * directory, so that the next {@link #open} creates a new, empty store: the replica then takes
   * a new id and pulls its state from a trusted device. Nothing is deleted.
   *
   * @return where the file went, or empty if there was none
   * @throws StoreLockedException if the store is open, here or in another process
   */
  public static Optional<Path> quarantine(Path dir) {
    return StoreFiles.quarantine(dir.toAbsolutePath().normalize());
  }

  // ---- identity ----

  @Override
  public Optional<ReplicaId> replicaId() {
    lock.lock();
    try {
      check();
      return Optional.ofNullable(id);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void bind(ReplicaId replica) {
    Objects.requireNonNull(replica, "replica");
    lock.lock();
    try {
      check();
      if (id != null) {
        if (!id.equals(replica)) {
          throw new IllegalStateException("store " + dir + " belongs to " + id + ", not "
              + replica + (retired.contains(replica) ? " (" + replica + " was retired)" : ""));
        }
        return;
      }
      try {
        IdentityTables.bind(db.connection(), replica);
        db.commit();
      } catch (SQLException e) {
        db.rollbackQuietly();
        throw failed("binding", e);
      }
      id = replica;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Set<ReplicaId> retiredIds() {
    lock.lock();
    try {
      check();
      return Set.copyOf(retired);
    } finally {
      lock.unlock();
    }
  }

  /** The retired row and the new meta row are one transaction: a crash keeps both or neither. */
  @Override
  public void retire(ReplicaId current, ReplicaId next) {
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(next, "next");
    lock.lock();
    try {
      check();
      if (!current.equals(id)) {
        throw new IllegalStateException("store " + dir + " belongs to " + id + ", not "
            + current);
      }
      if (next.equals(current) || retired.contains(next) || vector.get(next) > 0) {
        throw new IllegalStateException("store " + dir + " cannot move to " + next
            + ": retired already, or its feed is held here");
      }
      try {
        IdentityTables.retire(db.connection(), current, next);
        db.commit();
      } catch (SQLException e) {
        db.rollbackQuietly();
        throw failed("retiring " + current, e);
      }
      retired.add(current);
      id = next;
    } finally {
      lock.unlock();
    }
  }

  // ---- the log ----

  @Override
  public void append(List<DeltaRecord> records) {
    List<DeltaRecord> copy = List.copyOf(records);
    if (copy.isEmpty()) {
      replicaId(); // throws if closed
      return;
    }
    commits.submit(copy);
  }

  /**
   * Queues an append behind those queued before and returns at once; {@link #awaitAppend}
   * returns once it is committed. For writers that share one feed from several threads: take
   * the sequence number and queue under one lock, await outside it, and the appends still
   * share group commits.
   */
  GroupCommit.Request enqueueAppend(List<DeltaRecord> records) {
    // Not under the store's lock, which a commit holds through its I/O: queuing must not wait
    // for the disk. The queue refuses calls once the store is closed.
    return commits.enqueue(List.copyOf(records));
  }

  void awaitAppend(GroupCommit.Request request) {
    commits.await(request);
  }

  @Override
  public PendingAppend appendQueued(List<DeltaRecord> records) {
    GroupCommit.Request request = enqueueAppend(records);
    return new PendingAppend() {
      @Override
      public void await() {
        awaitAppend(request);
      }

      @Override
      public CompletionStage<Void> whenDurable() {
        return commits.whenDurable(request);
      }

      @Override
      public boolean durable() {
        return commits.durable(request);
      }
    };
  }

  /** Reads {@code what} under the store's lock: the counters tests look at. */
  private <T> T locked(Supplier<T> what) {
    lock.lock();
    try {
      return what.get();
    } finally {
      lock.unlock();
    }
  }

  /** How many group commits wrote records so far, for tests of the grouping. */
  long groupCommits() {
    return locked(() -> groupCommits);
  }

  /**
   * Commits a group of appends as one transaction: each request is checked against the
   * committed vector and the requests before it, and refused alone if it would leave a gap or
   * repeats a sequence number with other content; the rest are written one row per feed run.
   */
  private void commitGroup(List<GroupCommit.Request> group) {
    lock.lock();
    try {
      if (closed) {
        group.forEach(r -> r.fail(closedException()));
        return;
      }
      Validation v = new Validation(vector, snapshot.vector(), this::rowHolding);
      for (GroupCommit.Request r : group) {
        try {
          v.accept(r.records);
        } catch (IllegalArgumentException | StoreException e) {
          r.fail(e);
        } catch (SQLException e) {
          r.fail(failed("reading for append", e));
        }
      }
      if (v.fresh().isEmpty()) {
        return;
      }
      if (tailRecords >= MAX_TAIL_RECORDS || tailWeight >= MAX_TAIL_WEIGHT) {
        // The last chance before the group is refused, at most once a second: a try writes the
        // whole tail into the database under the lock, which every other group waits behind.
        long now = System.nanoTime();
        if (refusing == null || now - refusingSince >= RETRY_WHEN_FULL_NANOS) {
          try {
            checkpoint();
            refusing = null;
          } catch (StoreException e) {
            failedCheckpoints++;
            refusing = e;
            refusingSince = now;
          }
        }
        if (refusing != null) {
          StoreException why = new StoreException("store " + dir + " refuses appends: its "
              + "journal holds " + tailRecords + " records that could not be checkpointed into "
              + "the database: " + refusing.getMessage(), refusing);
          group.forEach(r -> r.fail(why));
          return;
        }
      }
      try {
        journal.append(v.fresh().values(), durability == Durability.POWER_LOSS_SAFE);
      } catch (IOException | RuntimeException e) {
        StoreException why = new StoreException("store " + dir + " failed appending to its "
            + "journal: " + e, e);
        group.forEach(r -> r.fail(why));
        return;
      }
      for (List<DeltaRecord> run : v.fresh().values()) {
        run.forEach(this::toTail);
      }
      groupCommits++;
      witness();
      if (tailRecords >= checkpointRecords || tailWeight >= checkpointWeight) {
        try {
          checkpoint();
        } catch (StoreException e) {
          // The group is durable in the journal. The next try waits for as many records again,
          // not the next group, and a journal full of them refuses appends.
          failedCheckpoints++;
          checkpointRecords = tailRecords + CHECKPOINT_RECORDS;
          checkpointWeight = tailWeight + CHECKPOINT_WEIGHT;
          LOG.log(System.Logger.Level.WARNING, "store " + dir + " could not checkpoint its "
              + "journal (" + tailRecords + " records); appends are refused from "
              + MAX_TAIL_RECORDS + " records or " + MAX_TAIL_WEIGHT + " bytes on", e);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * The least time between two groups, in microseconds. A journal write costs a few µs, so
   * without it a store under load wrote one group per arriving frame or write, and the replica
   * above it applied, acknowledged and sent as many small batches (part 2 of the bench, 10,000
   * writes/s over three devices: 1.0–1.7 frames per write instead of 0.45, and the process out of
   * CPU). A lone write after a quiet spell never waits, nor does a caller of {@link #append}
   * (one writer); a group that syncs takes longer anyway.
   */
  static final long GROUP_SPACING_MICROS = 1000;

  /** Overrides {@link #GROUP_SPACING_MICROS}, for benchmarks. */
  static final String GROUP_SPACING_PROPERTY = "tandem.h2.groupSpacingMicros";

  /**
   * Records in the journal's tail after which a group checkpoints them into the database. A
   * checkpoint costs one H2 commit plus about 2 µs a record; more records per checkpoint spread
   * the commit thinner but make one append in so many wait for it.
   */
  static final int CHECKPOINT_RECORDS = 2048;

  /** As {@link #CHECKPOINT_RECORDS}, in {@link DeltaRecord#weight} bytes: 1 MiB. */
  static final long CHECKPOINT_WEIGHT = 1L << 20;

  /**
   * Records in the tail from which appends are refused: only checkpoints that keep failing
   * (a database that cannot write while the journal can) let the tail grow past
   * {@link #CHECKPOINT_RECORDS}, and it is held in memory and replayed whole on the next open.
   */
  static final int MAX_TAIL_RECORDS = 32 * CHECKPOINT_RECORDS;

  /** As {@link #MAX_TAIL_RECORDS}, in {@link DeltaRecord#weight} bytes: 32 MiB. */
  static final long MAX_TAIL_WEIGHT = 32 * CHECKPOINT_WEIGHT;

  /** How long a store refusing appends waits before it tries a checkpoint again. */
  static final long RETRY_WHEN_FULL_NANOS = 1_000_000_000L;

  /**
   * Writes the tail into the database in one commit (synced in {@link Durability#POWER_LOSS_SAFE})
   * and then empties the journal. Under the lock.
   */
  private void checkpoint() {
    checkpoint(false);
  }

  /**
   * As {@link #checkpoint()}; if {@code strict}, a journal that cannot be emptied is a failure,
   * not a warning: a purge must not leave a payload behind in it. A journal holding only records
   * the database holds too (an open after a kill between a checkpoint's commit and its emptying,
   * or an emptying that failed) is emptied as well, though the tail is empty.
   */
  private void checkpoint(boolean strict) {
    if (tail.isEmpty()) {
      if (journal.size() > 0) {
        emptyJournal(strict);
      }
      return;
    }
    try {
      for (List<DeltaRecord> run : tail.values()) {
        db.feeds().insert(run);
      }
      writeBases();
      db.commit();
    } catch (SQLException e) {
      db.rollbackQuietly();
      throw failed("checkpointing its journal", e);
    } catch (RuntimeException e) {
      db.rollbackQuietly();
      throw new StoreException("store " + dir + " failed checkpointing its journal: " + e, e);
    }
    unwrittenBases.clear();
    tail.clear();
    tailRecords = 0;
    tailWeight = 0;
    checkpointRecords = CHECKPOINT_RECORDS;
    checkpointWeight = CHECKPOINT_WEIGHT;
    checkpoints++;
    emptyJournal(strict);
  }

  /** Empties the journal of records the database holds, once H2 reopens at them. */
  private void emptyJournal(boolean strict) {
    try {
      db.settle();
      journal.clear(durability == Durability.POWER_LOSS_SAFE);
    } catch (SQLException | IOException e) {
      if (strict) {
        throw new StoreException("store " + dir + " could not empty its journal: " + e, e);
      }
      // The journal keeps records the database holds too, which a later open skips; the next
      // checkpoint empties it.
      LOG.log(System.Logger.Level.WARNING, "store " + dir + " could not empty its journal", e);
    }
  }

  /** Checkpoints the journal now: tests that need rows laid out as appended call it. */
  void checkpointNow() {
    lock.lock();
    try {
      check();
      checkpoint();
    } finally {
      lock.unlock();
    }
  }

  /** How many checkpoints wrote the journal's tail into the database, for tests. */
  long checkpoints() {
    return locked(() -> checkpoints);
  }

  /** How many checkpoints failed, for tests. */
  long failedCheckpoints() {
    return locked(() -> failedCheckpoints);
  }

  /** Records acknowledged and not yet in the database, for tests. */
  int journaled() {
    return locked(() -> tailRecords);
  }

  /** The run holding {@code seq} of {@code origin}: the journal's tail or a database row. */
  private List<DeltaRecord> rowHolding(ReplicaId origin, long seq) throws SQLException {
    List<DeltaRecord> t = tail.get(origin);
    if (t != null && seq >= t.get(0).seq()) {
      return Collections.unmodifiableList(t);
    }
    return db.feeds().rowHolding(origin, seq);
  }

  @Override
  public List<DeltaRecord> readFeed(ReplicaId origin, long fromSeq, int max) {
    lock.lock();
    try {
      check();
      if (max <= 0 || fromSeq <= snapshot.vector().get(origin) || fromSeq > vector.get(origin)) {
        return List.of();
      }
      List<DeltaRecord> t = tail.getOrDefault(origin, List.of());
      long tailFrom = t.isEmpty() ? Long.MAX_VALUE : t.get(0).seq();
      if (fromSeq >= tailFrom) {
        int from = (int) (fromSeq - tailFrom);
        return List.copyOf(t.subList(from, (int) Math.min(t.size(), from + (long) max)));
      }
      List<DeltaRecord> run = db.feeds().read(origin, fromSeq, max);
      if (run.isEmpty() || run.get(0).seq() != fromSeq) {
        damaged = true;
        throw new StoreCorruptedException("store " + dir + ": feed " + origin + " reaches "
            + vector.get(origin) + " but holds no record " + fromSeq);
      }
      if (run.size() < max && !t.isEmpty() && run.get(run.size() - 1).seq() + 1 == tailFrom) {
        List<DeltaRecord> joined = new ArrayList<>(run);
        joined.addAll(t.subList(0, Math.min(t.size(), max - run.size())));
        return Collections.unmodifiableList(joined);
      }
      return run;
    } catch (SQLException e) {
      throw failed("reading feed " + origin, e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public VersionVector vector() {
    lock.lock();
    try {
      check();
      return vector;
    } finally {
      lock.unlock();
    }
  }

  // ---- snapshot ----

  @Override
  public Snapshot snapshot() {
    lock.lock();
    try {
      check();
      return snapshot.stored() ? SnapshotTable.load(db.connection(), snapshot, dir.toString())
          : Snapshot.empty();
    } catch (SQLException e) {
      throw failed("reading the snapshot", e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Replaces the snapshot and deletes the feed rows it covers, in one transaction: after a crash
   * the store holds the old snapshot and log or the new ones, never a mix.
   *
   * @throws IllegalArgumentException if the snapshot covers records the store never held, or
   *     is older than the one held
   */
  @Override
  public void saveSnapshot(Snapshot next) {
    replaceSnapshot(next, false);
  }

  /**
   * Replaces the snapshot by one fetched from a peer, in one transaction with the deletion of
   * the feed rows it covers: the vector becomes the held one merged with the snapshot's, and the
   * log after the snapshot stays. A kill at any moment leaves the old snapshot, log and vector or
   * the new ones (the vector is derived from the rows on open, never kept apart from them).
   *
   * @throws IllegalArgumentException if the snapshot is older than the one held
   */
  @Override
  public void installSnapshot(Snapshot next) {
    replaceSnapshot(next, true);
  }

  private void replaceSnapshot(Snapshot next, boolean fetched) {
    Objects.requireNonNull(next, "snapshot");
    lock.lock();
    try {
      check();
      if (!next.vector().descends(snapshot.vector())) {
        throw new IllegalArgumentException("snapshot at " + next.vector()
            + " is older than the one held at " + snapshot.vector());
      }
      if (!fetched && !vector.descends(next.vector())) {
        throw new IllegalArgumentException("snapshot covers " + next.vector()
            + " beyond the records held " + vector);
      }
      checkpoint(); // the rows the snapshot covers are deleted in the database
      SnapshotTable.Facts facts;
      int deleted;
      try {
        facts = SnapshotTable.replace(db.connection(), next);
        deleted = db.feeds().deleteCovered(next.vector());
        writeBases();
        db.commit();
      } catch (SQLException e) {
        db.rollbackQuietly();
        throw failed("saving the snapshot", e);
      }
      unwrittenBases.clear();
      snapshot = facts;
      if (fetched && !vector.descends(next.vector())) {
        vector = vector.merge(next.vector());
        witness();
      }
      if (deleted > 0) {
        reclaim();
      }
    } finally {
      lock.unlock();
    }
  }

  /** The length in bytes of the snapshot's encoding, as {@link #snapshotChunk} serves it. */
  public long snapshotSize() {
    lock.lock();
    try {
      check();
      return snapshot.size();
    } finally {
      lock.unlock();
    }
  }

  /** The SHA-256 of the snapshot's encoding: what a receiver checks the chunks against. */
  public byte[] snapshotHash() {
    lock.lock();
    try {
      check();
      return snapshot.hash().clone();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Up to {@code max} bytes of the snapshot's encoding from {@code offset}; empty at the end. A
   * transfer that stopped resumes from the offset it reached, as long as {@link #snapshotHash()}
   * is unchanged (a new snapshot changes it, and the transfer starts again).
   *
   * @throws IllegalArgumentException if {@code offset} is outside {@code 0..snapshotSize()}
   */
  public byte[] snapshotChunk(long offset, int max) {
    lock.lock();
    try {
      check();
      return SnapshotTable.read(db.connection(), snapshot, offset, max, dir.toString());
    } catch (SQLException e) {
      throw failed("reading the snapshot", e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Optional<PartialSnapshot> partialSnapshot() {
    lock.lock();
    try {
      check();
      return ResumeTables.partial(db.connection());
    } catch (SQLException e) {
      throw failed("reading the snapshot transfer", e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Keeps a verified chunk of the transfer under way, committed before returning (not synced:
   * a chunk a power cut loses is fetched again).
   */
  @Override
  public void appendPartialSnapshot(byte[] offer, long offset, byte[] chunk) {
    Objects.requireNonNull(offer, "offer");
    Objects.requireNonNull(chunk, "chunk");
    transact("keeping a snapshot chunk",
        c -> ResumeTables.appendPartial(c, offer, offset, chunk));
  }

  @Override
  public void clearPartialSnapshot() {
    transact("clearing the snapshot transfer", ResumeTables::clearPartial);
  }

  /** Runs {@code work} in a transaction committed unsynced, or rolled back if it fails. */
  private void transact(String doing, SqlWork work) {
    lock.lock();
    try {
      check();
      try {
        work.run(db.connection());
        writeBases();
        db.commitUnsynced();
      } catch (SQLException e) {
        db.rollbackQuietly();
        throw failed(doing, e);
      }
      unwrittenBases.clear();
    } finally {
      lock.unlock();
    }
  }

  @FunctionalInterface
  private interface SqlWork {
    void run(Connection c) throws SQLException;
  }

  // ---- sync bases ----

  @Override
  public boolean keepsSyncBases() {
    return true;
  }

  @Override
  public Map<ReplicaId, SyncBase> syncBases() {
    lock.lock();
    try {
      check();
      return Collections.unmodifiableMap(new LinkedHashMap<>(bases));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Replaces {@code peer}'s base in memory at once and in the file lazily: it is written with the
   * next commit of anything else (an append, an acknowledgement, a snapshot) or on
   * {@link #close}, and on its own once {@link #MAX_UNWRITTEN_BASE_SAVES} saves are pending. A
   * session saves its base on every acknowledgement, and each base is O(feeds), so one commit per
   * save would cost a file write per message; a base lost in a crash only makes the next session
   * with that peer send whole vectors, as the contract allows.
   */
  @Override
  public void saveSyncBase(ReplicaId peer, SyncBase base) {
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(base, "base");
    lock.lock();
    try {
      check();
      bases.put(peer, base);
      unwrittenBases.add(peer);
      if (++baseSavesPending >= MAX_UNWRITTEN_BASE_SAVES) {
        transact("saving sync bases", c -> { });
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Saves of sync bases after which they are written on their own. Under load appends commit
   * often and carry the bases; a small bound made sessions commit bases of their own between
   * appends, each a file write holding the replica's lock.
   */
  static final int MAX_UNWRITTEN_BASE_SAVES = 1024;

  /** Writes the unwritten bases into the transaction under way; cleared once it commits. */
  private void writeBases() throws SQLException {
    for (ReplicaId peer : unwrittenBases) {
      ResumeTables.saveSyncBase(db.connection(), peer, bases.get(peer));
    }
    baseSavesPending = 0;
  }

  // ---- peers ----

  @Override
  public Map<ReplicaId, VersionVector> peerVectors() {
    lock.lock();
    try {
      check();
      return Collections.unmodifiableMap(new LinkedHashMap<>(peers));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Merges {@code acknowledged} into what {@code peer} acknowledged before. Not synced in
   * {@link Durability#POWER_LOSS_SAFE}: an acknowledgement lost to a power cut only means
   * resending deltas the peer has.
   */
  @Override
  public void savePeerVector(ReplicaId peer, VersionVector acknowledged) {
    lock.lock();
    try {
      check();
      VersionVector before = peers.getOrDefault(peer, VersionVector.empty());
      VersionVector merged = before.merge(acknowledged);
      if (merged.equals(before) && peers.containsKey(peer)) {
        return;
      }
      try {
        IdentityTables.saveVector(db.connection(), peer, merged);
        writeBases();
        db.commitUnsynced();
      } catch (SQLException e) {
        db.rollbackQuietly();
        throw failed("saving peer " + peer, e);
      }
      unwrittenBases.clear();
      peers.put(peer, merged);
    } finally {
      lock.unlock();
    }
  }

  /** What the transport keeps to trust {@code peer} (its pinned key, say), if anything. */
  public Optional<byte[]> peerTrust(ReplicaId peer) {
    lock.lock();
    try {
      check();
      return IdentityTables.trust(db.connection(), peer);
    } catch (SQLException e) {
      throw failed("reading peer " + peer, e);
    } finally {
      lock.unlock();
    }
  }

  /** Keeps {@code trust} for {@code peer}, durably; {@code null} forgets it (a revoked key). */
  public void savePeerTrust(ReplicaId peer, byte[] trust) {
    lock.lock();
    try {
      check();
      VersionVector acked = peers.getOrDefault(peer, VersionVector.empty());
      try {
        IdentityTables.saveTrust(db.connection(), peer, acked, trust);
        db.commit();
      } catch (SQLException e) {
        db.rollbackQuietly();
        throw failed("saving trust of " + peer, e);
      }
      peers.put(peer, acked);
    } finally {
      lock.unlock();
    }
  }

  // ---- purge ----

  /**
   * Removes a value's payload from the store, as {@link ReplicaStore#purge} says, in one
   * transaction; then the file is {@link #compact() compacted}, since H2 keeps earlier versions
   * of a row in the file until it is rewritten.
   *
   * @return how many payloads were replaced, the snapshot's state counting as one
   */
  @Override
  public int purge(String object, UnaryOperator<byte[]> rewrite) {
    return purge(List.of(object), rewrite);
  }

  /** As {@link #purge(String, UnaryOperator)}, in one transaction and one compaction for all. */
  @Override
  public int purge(Collection<String> objects, UnaryOperator<byte[]> rewrite) {
    Set<String> names = new HashSet<>();
    for (String object : objects) {
      names.add(DeltaRecord.checkObjectName(object));
    }
    Objects.requireNonNull(rewrite, "rewrite");
    int changed;
    lock.lock();
    try {
      check();
      checkpoint(true); // payloads are rewritten in the database, and none is left in the journal
      try {
        changed = db.feeds().purge(names, rewrite);
        SnapshotTable.Facts facts = snapshot;
        for (String object : names) {
          SnapshotTable.Facts next = SnapshotTable.purge(db.connection(), facts, object, rewrite,
              dir.toString());
          if (next != facts) {
            changed++;
          }
          facts = next;
        }
        if (changed == 0) {
          return 0;
        }
        db.commit();
        snapshot = facts;
        purges++;
      } catch (SQLException e) {
        db.rollbackQuietly();
        throw failed("purging " + names, e);
      } catch (RuntimeException e) {
        db.rollbackQuietly();
        throw e;
      }
      compact();
      return changed;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long purges() {
    lock.lock();
    try {
      check();
      return purges;
    } finally {
      lock.unlock();
    }
  }

  /** As {@link #saveSnapshot}, in the same transaction, unless a purge came after the reads. */
  @Override
  public boolean saveSnapshotUnlessPurged(Snapshot next, long purgesSeen) {
    lock.lock();
    try {
      check();
      if (purges != purgesSeen) {
        return false;
      }
      replaceSnapshot(next, false);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Rewrites the database file with only its live data ({@code SHUTDOWN COMPACT}) and opens it
   * again: the file shrinks to what the store holds, and no earlier version of a row (a purged
   * value, say) is left in it. H2 has no other way to drop its old chunks, so the database is
   * closed for a moment: a process opening the store in that moment would take it, and this
   * handle would then fail with {@link StoreLockedException} and close.
   */
  public void compact() {
    lock.lock();
    try {
      check();
      try {
        db.compact();
      } catch (SQLException e) {
        closed = true;
        StoreFiles.closeQuietly(db.connection());
        closeQuietly(journal);
        closeQuietly(witness);
        try {
          Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
          // the hook finds the store closed
        }
        StoreFiles.OPEN.remove(key);
        throw failed("compacting (the store is closed now)", e);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Gives the file space of deleted rows back to the disk once the file has doubled since it was
   * last compacted (and passed {@link #RECLAIM_FLOOR}): H2 writes every commit to new space and
   * frees the old only for its own reuse, so without this the file keeps the size of the longest
   * log it ever held. Doubling keeps the file within about twice the live state and unstable
   * tail, at a compaction cost amortised over the appends that doubled it.
   */
  private void reclaim() {
    long size = fileSize();
    if (size > Math.max(RECLAIM_FLOOR, 2 * compactedSize)) {
      compact();
      compactedSize = fileSize();
      LOG.log(System.Logger.Level.DEBUG, () -> "store " + dir + " compacted from " + size
          + " to " + compactedSize + " bytes");
    }
  }

  /** Files smaller than this are never compacted to reclaim space: 4 MiB. */
  static final long RECLAIM_FLOOR = 4L << 20;

  private long fileSize() {
    try {
      return java.nio.file.Files.size(databaseFile(dir));
    } catch (IOException e) {
      return 0; // unknown: no reclaiming on its account
    }
  }

  // ---- checks and lifecycle ----

  /**
   * Reads every record, the snapshot and the peers, and checks them all: what opening skips
   * for speed (it checks the file's structure, and rows are checked as they are read).
   *
   * @throws StoreCorruptedException at the first damage found
   */
  public void verify() {
    lock.lock();
    try {
      check();
      for (int i = 0; i < vector.size(); i++) {
        ReplicaId origin = vector.replicaAt(i);
        long next = snapshot.vector().get(origin) + 1;
        while (next <= vector.counterAt(i)) {
          List<DeltaRecord> run = readFeed(origin, next, 4096);
          next = run.get(run.size() - 1).seq() + 1;
        }
      }
      snapshot();
      IdentityTables.load(db.connection(), dir.toString());
    } catch (SQLException e) {
      throw failed("verifying", e);
    } catch (StoreCorruptedException e) {
      damaged = true;
      throw e;
    } catch (AssertionError | StackOverflowError e) {
      if (!Errors.isH2ReadFailure(e)) {
        throw e;
      }
      damaged = true;
      throw Errors.h2ReadFailure(dir.toString(), "verifying", e);
    } finally {
      lock.unlock();
    }
  }

  /** The store's directory. */
  public Path directory() {
    return dir;
  }

  public Durability durability() {
    return durability;
  }

  /** The schema version the file had when opened (lower than the current one if upgraded). */
  public int schemaVersionAtOpen() {
    return openedAtVersion;
  }

  /** The schema version this build writes. */
  public static int schemaVersion() {
    return Schema.CURRENT;
  }

  /**
   * Closes the database. Appends still queued fail with a {@link StoreException}; a group being
   * committed completes first. Closing twice does nothing.
   */
  @Override
  public void close() {
    commits.close(this::closedException);
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try (Witness w = witness; Journal j = journal) {
        if (damaged) {
          StoreFiles.abandon(db.connection());
        } else {
          checkpointOnClose();
          writeBasesOnClose();
          db.close();
        }
      } catch (SQLException e) {
        throw failed("closing", e);
      } catch (IOException e) {
        throw new StoreException("store " + dir + " failed closing its witness or journal: "
            + e, e);
      } finally {
        StoreFiles.OPEN.remove(key);
        if (Thread.currentThread() != shutdownHook) {
          try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
          } catch (IllegalStateException shuttingDown) {
            // the hook runs, finds the store closed, and returns
          }
        }
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "H2ReplicaStore(" + dir + ", " + durability + ")";
  }

  /** Best effort: what is not checkpointed stays in the journal for the next open. */
  private void checkpointOnClose() {
    try {
      checkpoint();
    } catch (StoreException e) {
      LOG.log(System.Logger.Level.WARNING, "store " + dir + " could not checkpoint its journal "
          + "on closing; the next open reads it again", e);
    }
  }

  /** Best effort: a base that cannot be written costs its peer a whole-vector session. */
  private void writeBasesOnClose() {
    if (unwrittenBases.isEmpty()) {
      return;
    }
    try {
      writeBases();
      db.commitUnsynced();
    } catch (SQLException e) {
      db.rollbackQuietly();
      LOG.log(System.Logger.Level.WARNING, "store " + dir + " could not keep its sync bases", e);
    }
  }

  /** Witnesses the vector's total after a commit; best effort, as the commit stands anyway. */
  private void witness() {
    try {
      witness.write(vector.total(), durability == Durability.POWER_LOSS_SAFE);
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "store " + dir + " cannot write its witness; a "
          + "database that loses commits may go unnoticed", e);
    }
  }

  private void check() {
    if (closed) {
      throw closedException();
    }
  }

  private StoreException closedException() {
    return new StoreException("store " + dir + " is closed");
  }

  private StoreException failed(String doing, SQLException e) {
    StoreException mapped = Errors.map(dir.toString(), doing, e);
    if (mapped instanceof StoreCorruptedException) {
      damaged = true; // closing must not write over what the damage left
    }
    return mapped;
  }
}
