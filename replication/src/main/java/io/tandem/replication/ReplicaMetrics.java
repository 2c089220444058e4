package io.tandem.replication;

/**
 * Counters of a replica since it opened.
 *
 * @param bufferedDeltas records waiting for their dependencies now
 * @param bufferedBytes their weight
 * @param evictions records dropped from the full causal buffer (fetched again later)
 * @param heldForClock records waiting because their timestamp is too far in the future
 * @param duplicates records received that were already held: applied, buffered or being stored
 * @param applied records applied from peers
 * @param rejected records whose payload could not apply to their object
 * @param sessionsClosed sessions ended for a protocol violation
 * @param lastCloseReason the reason of the latest such closing, or null
 */
public record ReplicaMetrics(int bufferedDeltas, long bufferedBytes, long evictions,
    long heldForClock, long duplicates, long applied, long rejected, long framesIn,
    long framesOut, long bytesIn, long bytesOut, long sessionsClosed, String lastCloseReason) {}
