package io.tandem.replication.spi;

import io.tandem.crdt.VersionVector;
import java.util.Objects;

/**
 * What a replica and one peer can both name when they meet again: the base a session start is
 * written against, so a reconnect costs the feeds that changed, not all of them.
 *
 * <p>{@code told} is every vector entry this replica stated to the peer (in summaries and acks),
 * merged; {@code heard} is every entry the peer stated to this replica. When nothing was lost,
 * one side's {@code told} equals the other's {@code heard}, and the next session sends only what
 * differs from it. When they differ (a lost message, a crash before saving), the session notices
 * by a hash and falls back to the whole vector: a stale base costs a round trip, never data.
 * Both only ever hold what the peer really stated, so a base is never ahead of the truth.
 */
public record SyncBase(VersionVector told, VersionVector heard) {

  /** Nothing in common yet: the first session sends whole vectors. */
  public static final SyncBase NONE = new SyncBase(VersionVector.empty(), VersionVector.empty());

  public SyncBase {
    Objects.requireNonNull(told, "told");
    Objects.requireNonNull(heard, "heard");
  }

  public SyncBase withTold(VersionVector v) {
    return new SyncBase(v, heard);
  }

  public SyncBase withHeard(VersionVector v) {
    return new SyncBase(told, v);
  }
}
