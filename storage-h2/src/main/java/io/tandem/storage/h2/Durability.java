package io.tandem.storage.h2;

/**
 * How far an acknowledged write survives. Either way {@code append} returns only after its group
 * is written to the store's {@link Journal}; the levels differ in whether that write also reaches
 * the disk. The database takes the journal's records later, many groups in one commit.
 */
public enum Durability {

  /**
   * The default. Each group is written to the journal before {@code append} returns, and each
   * checkpoint commit to the database file ({@code WRITE_DELAY=0}) before the journal is emptied,
   * so every acknowledged write survives the process being killed
   * ({@code kill -9}, a crash, an out-of-memory kill). H2 does not fsync on commit: a power cut
   * or kernel panic may lose what the operating system had not yet written back, typically the
   * last few seconds (the kernel's dirty-page writeback window, about 5–30 s on Linux): the file
   * then opens at an older commit, or is reported damaged ({@link StoreCorruptedException}),
   * also when the store's witness survived and shows the loss. Measured: every acknowledged
   * write survived SIGKILL in {@code CrashTest}; under simulated power cuts
   * ({@code PowerCutTest}) H2 never synced in this level, and no write older than the last
   * writeback was ever lost.
   */
  PROCESS_CRASH_SAFE,

  /**
   * As {@link #PROCESS_CRASH_SAFE}, plus a sync of the journal per group and an fsync of the
   * database ({@code CHECKPOINT SYNC}) per checkpoint (before the journal is emptied), snapshot
   * save, purge and bind before returning, so acknowledged writes also survive power
   * loss on a disk that honours flushes; the store's witness is synced after it, so a database
   * that comes back without them is refused, never trusted. H2's own writes are ordered by syncs
   * ({@link OrderedWrites}: a chunk's footer only after its body, the header only after the chunk
   * it names, one header copy at a time) and its header is kept pointing at the newest chunk
   * ({@link StoreHeader}), which H2 alone does neither of. Costs a sync of the journal and one of
   * the witness per group, which concurrent writers share, and two to five per checkpoint. Peer acknowledgements are not synced: losing one only means
   * resending deltas. Tested by {@code PowerCutTest}, unsynced writes dropped, kept, torn or
   * reordered by sector: in 2,000 cuts (2026-11-23, before the journal; the test runs on with
   * it) the store opened every time and no acknowledged write was lost. Before the ordering, about 1 cut in 100 left a chunk torn in its
   * middle that H2 could not tell from a whole one (the store refused to open), and a commit
   * placed in reused space could be lost.
   */
  POWER_LOSS_SAFE
}
