package io.tandem.replication;

import io.tandem.crdt.Hlc;
import io.tandem.replication.protocol.ProtocolLimits;
import io.tandem.replication.protocol.SessionConfig;

/**
 * A replica's settings, immutable; {@code withX} returns a changed copy.
 *
 * @param mode batch (push) or interactive (offer, then send on request)
 * @param session batching, window and resend backoff of each peer session
 * @param limits bounds on frames from peers
 * @param maxBufferedDeltas causal buffer bound, in records
 * @param maxBufferedBytes causal buffer bound, in bytes
 * @param maxClockOffsetMillis how far ahead of local time a peer's timestamp may be before the
 *     record carrying it waits
 * @param tickMillis how often sessions look for resends
 * @param seed seeds resend jitter (the simulator passes one for reproducible runs)
 * @param compactionBatch most records folded into the snapshot per compaction run; 0 turns
 *     compaction off. Off by default: a record counts as stable once every peer heard from since
 *     the start holds it, so a paired device not met yet (a phone online 10 % of the time) would
 *     later need the snapshot instead of the records (bench part 4, world (b): 94 kB of snapshot
 *     chunks where the records cost 1.1x their payload). {@code withCompaction(DEFAULT_COMPACTION_BATCH, …)} turns
 *     it on where every peer is met often; the default waits until paired devices count
 * @param forgetAfterMillis how long a silent peer holds compaction back; after that its records
 *     may be compacted away and it catches up from the snapshot when it returns
 */
public record ReplicaConfig(SyncMode mode, SessionConfig session, ProtocolLimits limits,
    int maxBufferedDeltas, long maxBufferedBytes, long maxClockOffsetMillis, long tickMillis,
    long seed, int compactionBatch, long forgetAfterMillis) {

  /** Records folded per compaction run by default: small enough to keep a tick short. */
  public static final int DEFAULT_COMPACTION_BATCH = 256;

  public static final ReplicaConfig DEFAULT = new ReplicaConfig(SyncMode.BATCH,
      SessionConfig.DEFAULT, ProtocolLimits.DEFAULT, 10_000, 16L << 20,
      Hlc.DEFAULT_MAX_OFFSET_MILLIS, 100, 0, 0, 14L * 24 * 3600 * 1000);

  public ReplicaConfig {
    if (maxBufferedDeltas < 1 || maxBufferedBytes < 1 || maxClockOffsetMillis < 0
        || tickMillis < 1 || compactionBatch < 0 || forgetAfterMillis < 1) {
      throw new IllegalArgumentException("inconsistent replica config");
    }
  }

  public ReplicaConfig withMode(SyncMode m) {
    return new ReplicaConfig(m, session, limits, maxBufferedDeltas, maxBufferedBytes,
        maxClockOffsetMillis, tickMillis, seed, compactionBatch,
        forgetAfterMillis);
  }

  public ReplicaConfig withSession(SessionConfig s) {
    return new ReplicaConfig(mode, s, limits, maxBufferedDeltas, maxBufferedBytes,
        maxClockOffsetMillis, tickMillis, seed, compactionBatch,
        forgetAfterMillis);
  }

  public ReplicaConfig withLimits(ProtocolLimits l) {
    return new ReplicaConfig(mode, session, l, maxBufferedDeltas, maxBufferedBytes,
        maxClockOffsetMillis, tickMillis, seed, compactionBatch,
        forgetAfterMillis);
  }

  public ReplicaConfig withMaxBufferedDeltas(int n) {
    return new ReplicaConfig(mode, session, limits, n, maxBufferedBytes, maxClockOffsetMillis,
        tickMillis, seed, compactionBatch,
        forgetAfterMillis);
  }

  public ReplicaConfig withMaxClockOffsetMillis(long ms) {
    return new ReplicaConfig(mode, session, limits, maxBufferedDeltas, maxBufferedBytes, ms,
        tickMillis, seed, compactionBatch,
        forgetAfterMillis);
  }

  public ReplicaConfig withTickMillis(long ms) {
    return new ReplicaConfig(mode, session, limits, maxBufferedDeltas, maxBufferedBytes,
        maxClockOffsetMillis, ms, seed, compactionBatch,
        forgetAfterMillis);
  }

  public ReplicaConfig withSeed(long s) {
    return new ReplicaConfig(mode, session, limits, maxBufferedDeltas, maxBufferedBytes,
        maxClockOffsetMillis, tickMillis, s, compactionBatch,
        forgetAfterMillis);
  }

  /**
   * Compaction on ({@code maxRecordsPerRun > 0}) or off, and how long a silent peer holds it
   * back.
   */
  public ReplicaConfig withCompaction(int maxRecordsPerRun, long forgetAfter) {
    return new ReplicaConfig(mode, session, limits, maxBufferedDeltas, maxBufferedBytes,
        maxClockOffsetMillis, tickMillis, seed, maxRecordsPerRun, forgetAfter);
  }
}
