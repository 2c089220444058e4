package io.tandem.replication.log;

import io.tandem.crdt.Hlc;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of a causal delta log: the {@code seq}-th delta of {@code origin}'s feed, for the
 * named object, as encoded bytes.
 *
 * <p>{@code deps} holds only what this delta adds to the dependencies of its predecessor in the
 * feed: the entries of the origin's vector, other than its own, that grew since the origin wrote
 * {@code seq - 1}. Feeds are applied gap-free and in order, so checking the increment against the
 * local vector is enough for causal delivery, and a typical delta carries none or one entry.
 */
public record DeltaRecord(ReplicaId origin, long seq, VersionVector deps, Hlc hlc, String object,
    byte[] payload) {

  /** Longest object name, in UTF-8 bytes. */
  public static final int MAX_OBJECT_NAME_BYTES = 255;

  public DeltaRecord {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(deps, "deps");
    Objects.requireNonNull(hlc, "hlc");
    Objects.requireNonNull(payload, "payload");
    if (seq < 1) {
      throw new IllegalArgumentException("seq must be >= 1, was " + seq);
    }
    if (deps.get(origin) != 0) {
      throw new IllegalArgumentException("a delta cannot depend on its own feed: " + deps);
    }
    if (!hlc.replica().equals(origin)) {
      throw new IllegalArgumentException("hlc " + hlc + " was not issued by " + origin);
    }
    checkObjectName(object);
  }

  /** @throws IllegalArgumentException if {@code name} is empty or longer than 255 bytes */
  public static String checkObjectName(String name) {
    Objects.requireNonNull(name, "object");
    int n = name.getBytes(StandardCharsets.UTF_8).length;
    if (n == 0 || n > MAX_OBJECT_NAME_BYTES) {
      throw new IllegalArgumentException("object name must be 1-255 UTF-8 bytes: " + name);
    }
    return name;
  }

  /** The bytes this record takes, roughly, for buffer accounting. */
  public int weight() {
    return payload.length + object.length() + 48 + deps.size() * 16;
  }

  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof DeltaRecord r && seq == r.seq && origin.equals(r.origin)
        && deps.equals(r.deps) && hlc.equals(r.hlc) && object.equals(r.object)
        && Arrays.equals(payload, r.payload);
  }

  @Override
  public int hashCode() {
    return Objects.hash(origin, seq, deps, hlc, object) * 31 + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return origin + "#" + seq + "[" + object + ", " + payload.length + " B, deps " + deps + "]";
  }
}
