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
   * then opens at an older commit, or is reported damaged ({@link StoreCorruptedException}).
   * Measured: every acknowledged write survived SIGKILL in {@code CrashTest}.
   */
  PROCESS_CRASH_SAFE,

  /**
   * As {@link #PROCESS_CRASH_SAFE}, plus an fsync ({@code CHECKPOINT SYNC}) per group commit,
   * snapshot save, purge and bind before returning, so acknowledged writes also survive power
   * loss on a disk that honours flushes. Costs one sync per group: concurrent writers share it.
   * Peer acknowledgements are not synced: losing one only means resending deltas. (Not yet
   * tested under simulated power loss: see the issue.)
   */
  POWER_LOSS_SAFE
}
