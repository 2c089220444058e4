package io.tandem.replication.spi;

import io.tandem.crdt.Hlc;
import io.tandem.crdt.VersionVector;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The state of every object as of {@code vector}: what the deltas it covers add up to, each
 * object encoded with the crdt-core binary codec. A store keeps one, and the log after it.
 *
 * <p>{@code clock} is the highest timestamp among the deltas the snapshot covers, or null when
 * it is not known (a snapshot written before clocks were kept). Once those deltas are gone from
 * the log it is what keeps a restarted replica's clock, and a replica that caught up from the
 * snapshot, from stamping a new write below a value it has seen.
 */
public record Snapshot(VersionVector vector, Map<String, byte[]> objects, Hlc clock) {

  public Snapshot {
    Objects.requireNonNull(vector, "vector");
    objects = Collections.unmodifiableMap(new TreeMap<>(objects));
  }

  /** A snapshot whose clock is not known. */
  public Snapshot(VersionVector vector, Map<String, byte[]> objects) {
    this(vector, objects, null);
  }

  public static Snapshot empty() {
    return new Snapshot(VersionVector.empty(), Map.of());
  }
}
