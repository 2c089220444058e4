package io.tandem.storage.h2;

/**
 * How far an acknowledged write survives. Either way {@code append} returns only after its group
 * commit; the levels differ in whether that commit also reaches the disk.
 */
public enum Durability {

  /**
   * The default. Each group commit is written to the file ({@code WRITE_DELAY=0}) before
   * {@code append} returns, so every acknowledged write survives the process being killed
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
   * As {@link #PROCESS_CRASH_SAFE}, plus an fsync ({@code CHECKPOINT SYNC}) per group commit,
   * snapshot save, purge and bind before returning, so acknowledged writes also survive power
   * loss on a disk that honours flushes; the store's witness is synced after it, so a database
   * that comes back without them is refused, never trusted. Costs two syncs per group:
   * concurrent writers share them. Peer acknowledgements are not synced: losing one only means
   * resending deltas. Tested by {@code PowerCutTest}, unsynced writes dropped, kept, torn or
   * reordered by sector: no acknowledged write was ever lost, and the store opened after 993 of
   * 1,000 cuts (2026-11-23); after the others, all with unsynced sectors reordered, H2 could not
   * recover its synced state (a chunk torn in its middle, which H2 cannot tell from a whole one,
   * read as damage or as an older or empty state; once, in a run of 100, also with every unsynced
   * write dropped) and the store refused to open ({@link StoreCorruptedException}), never
   * opening short.
   */
  POWER_LOSS_SAFE
}
