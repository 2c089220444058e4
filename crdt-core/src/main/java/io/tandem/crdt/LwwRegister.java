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

  private static final LwwRegister<?> EMPTY = new LwwRegister<>(null, null);

  private final Hlc timestamp; // null only when empty
  private final T value;

  private LwwRegister(Hlc timestamp, T value) {
    this.timestamp = timestamp;
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
    return new LwwRegister<>(Objects.requireNonNull(timestamp, "timestamp"), Values.check(value));
  }

  /**
   * Writes {@code value} at {@code now}, the writer's clock after ticking. A write overrides
   * what it has seen even when the writer's clock lags behind the value's timestamp: it then
   * takes the smallest timestamp after it, so a write that causally follows another always wins.
   *
   * @return the delta; the state is unchanged
   */
  public LwwRegister<T> assign(Hlc now, T value) {
    Hlc ts = timestamp == null || now.compareTo(timestamp) > 0
        ? now : timestamp.successor(now.replica());
    return of(ts, value);
  }

  @Override
  public LwwRegister<T> merge(LwwRegister<T> other) {
    if (other.timestamp == null || other == this) {
      return this;
    }
    if (timestamp == null) {
      return other;
    }
    int c = timestamp.compareTo(other.timestamp);
    if (c == 0) {
      // Only a replica that reused a timestamp (a bug or a forgery) gets here; decide alike
      // everywhere rather than by arrival order.
      c = Values.compare(value, other.value);
    }
    return c >= 0 ? this : other;
  }

  /** The value, or null if nothing was written. */
  public T value() {
    return value;
  }

  /** The timestamp of the value, or null if nothing was written. */
  public Hlc timestamp() {
    return timestamp;
  }

  public boolean isEmpty() {
    return timestamp == null;
  }

  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof LwwRegister<?> r
        && Objects.equals(timestamp, r.timestamp) && Objects.equals(value, r.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(timestamp, value);
  }

  @Override
  public String toString() {
    return timestamp == null ? "LwwRegister()" : "LwwRegister(" + value + "@" + timestamp + ")";
  }
}
