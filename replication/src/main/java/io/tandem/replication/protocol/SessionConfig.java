package io.tandem.replication.protocol;

/**
 * How a session paces itself.
 *
 * @param interactive offer ids and send on request (else push deltas at once)
 * @param batchRecords most records in one Deltas message
 * @param batchBytes most payload bytes in one Deltas message (a single larger record still goes)
 * @param windowRecords most records of one feed sent and not yet acknowledged, per peer
 * @param minBackoffMillis first resend delay for unacknowledged records
 * @param maxBackoffMillis cap on the resend delay, however often resends failed
 * @param ordered the transport keeps order, so a message before the hello is a violation
 * @param relay this replica is a relay: always online, it stores and forwards for devices. A
 *     device with a relay at hand sends records to other devices through it: to them directly
 *     only what they still lack a grace period later. Each record then crosses a device's link
 *     once, not once to the relay and once more to the other device (part 4, world (b)).
 */
public record SessionConfig(boolean interactive, int batchRecords, int batchBytes,
    int windowRecords, long minBackoffMillis, long maxBackoffMillis, boolean ordered,
    boolean relay) {

  public static final SessionConfig DEFAULT =
      new SessionConfig(false, 512, 256 << 10, 8192, 250, 30_000, true, false);

  /** A device's config (not a relay). */
  public SessionConfig(boolean interactive, int batchRecords, int batchBytes,
      int windowRecords, long minBackoffMillis, long maxBackoffMillis, boolean ordered) {
    this(interactive, batchRecords, batchBytes, windowRecords, minBackoffMillis,
        maxBackoffMillis, ordered, false);
  }

  public SessionConfig {
    if (batchRecords < 1 || batchBytes < 1 || windowRecords < batchRecords
        || minBackoffMillis < 1 || maxBackoffMillis < minBackoffMillis) {
      throw new IllegalArgumentException("inconsistent session config");
    }
  }

  public SessionConfig withInteractive(boolean on) {
    return new SessionConfig(on, batchRecords, batchBytes, windowRecords, minBackoffMillis,
        maxBackoffMillis, ordered, relay);
  }

  public SessionConfig withBackoff(long min, long max) {
    return new SessionConfig(interactive, batchRecords, batchBytes, windowRecords, min, max,
        ordered, relay);
  }

  public SessionConfig withOrdered(boolean on) {
    return new SessionConfig(interactive, batchRecords, batchBytes, windowRecords,
        minBackoffMillis, maxBackoffMillis, on, relay);
  }

  public SessionConfig withRelay(boolean on) {
    return new SessionConfig(interactive, batchRecords, batchBytes, windowRecords,
        minBackoffMillis, maxBackoffMillis, ordered, on);
  }

  public SessionConfig withBatch(int records, int bytes, int window) {
    return new SessionConfig(interactive, records, bytes, window, minBackoffMillis,
        maxBackoffMillis, ordered, relay);
  }
}
