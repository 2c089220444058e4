package io.tandem.replication.spi;

import io.tandem.crdt.VersionVector;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The state of every object as of {@code vector}: what the deltas it covers add up to, each
 * object encoded with the crdt-core binary codec. A store keeps one, and the log after it.
 */
public record Snapshot(VersionVector vector, Map<String, byte[]> objects) {

  public Snapshot {
    Objects.requireNonNull(vector, "vector");
    objects = Collections.unmodifiableMap(new TreeMap<>(objects));
  }

  public static Snapshot empty() {
    return new Snapshot(VersionVector.empty(), Map.of());
  }
}
