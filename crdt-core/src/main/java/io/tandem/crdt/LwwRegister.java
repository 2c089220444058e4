package io.tandem.crdt;

import java.util.Objects;

/**
 * Last-writer-wins register. {@code merge} is the join: commutative, associative, idempotent; it
 * keeps the value with the greater {@link Hlc} (wall time, logical counter, then replica id, so
 * equal clocks on two replicas resolve the same way everywhere).
 *
 * <pre>{@code
 * LwwRegister<String> d = title.assign(clock.tick(now), "Groceries");
 * title = title.merge(d);
 * }</pre>
 *
 * @param <T> value type: one of the scalars {@link Values} supports
 */
public final class LwwRegister<T> implements Crdt<LwwRegister<T>> {

  /*
   * The timestamp's three parts are fields of the register rather than an Hlc of its own: a map
   * of registers holds one per key, and the separate object cost 32 bytes of each entry.
   */

  private static final LwwRegister<?> EMPTY = new LwwRegister<>(0, 0, null, null);

  private final long wallMillis;
  private final int logical;
  private final ReplicaId replica; // null only when empty
  private final T value;

  private LwwRegister(long wallMillis, int logical, ReplicaId replica, T value) {
    this.wallMillis = wallMillis;
    this.logical = logical;
    this.replica = replica;
    this.value = value;
  }

  @SuppressWarnings("unchecked")
  public static <T> LwwRegister<T> empty() {
    return (LwwRegister<T>) EMPTY;
  }

  /**
   * The register holding {@code value} written at {@code timestamp}.
   *
   * @throws IllegalArgumentException if value is not a supported scalar
   */
  public static <T> LwwRegister<T> of(Hlc timestamp, T value) {
    Objects.requireNonNull(timestamp, "timestamp");
    return new LwwRegister<>(timestamp.wallMillis(), timestamp.logical(), timestamp.replica(),
        Values.check(value));
  }

  /** A register rebuilt from parts already checked when they were first written. */
  static <T> LwwRegister<T> at(long wallMillis, int logical, ReplicaId replica, T value) {
    return new LwwRegister<>(wallMillis, logical, replica, value);
  }

  /**
   * Writes {@code value} at {@code now}, the writer's clock after ticking. A write overrides
   * what it has seen even when the writer's clock lags behind the value's timestamp: it then
   * takes the smallest timestamp after it, so a write that causally follows another always wins.
   *
   * @return the delta; the state is unchanged
   */
  public LwwRegister<T> assign(Hlc now, T value) {
    Hlc ts = replica == null || compareStamp(now.wallMillis(), now.logical(), now.replica()) < 0
        ? now : timestamp().successor(now.replica());
    return of(ts, value);
  }

  @Override
  public LwwRegister<T> merge(LwwRegister<T> other) {
    if (other.replica == null || other == this) {
      return this;
    }
    if (replica == null) {
      return other;
    }
    int c = compareStamp(other.wallMillis, other.logical, other.replica);
    if (c == 0) {
      // Only a replica that reused a timestamp (a bug or a forgery) gets here; decide alike
      // everywhere rather than by arrival order.
      c = Values.compare(value, other.value);
    }
    return c >= 0 ? this : other;
  }

  /** This register's timestamp against the given one, in {@link Hlc} order. */
  private int compareStamp(long wall, int log, ReplicaId r) {
    int c = Long.compare(wallMillis, wall);
    if (c != 0) {
      return c;
    }
    c = Integer.compare(logical, log);
    return c != 0 ? c : replica.compareTo(r);
  }

  /** The value, or null if nothing was written. */
  public T value() {
    return value;
  }

  /** The timestamp of the value, or null if nothing was written. */
  public Hlc timestamp() {
    return replica == null ? null : new Hlc(wallMillis, logical, replica);
  }

  public boolean isEmpty() {
    return replica == null;
  }

  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof LwwRegister<?> r && wallMillis == r.wallMillis
        && logical == r.logical && Objects.equals(replica, r.replica)
        && Objects.equals(value, r.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(wallMillis, logical, replica, value);
  }

  @Override
  public String toString() {
    return replica == null ? "LwwRegister()" : "LwwRegister(" + value + "@" + timestamp() + ")";
  }
}
