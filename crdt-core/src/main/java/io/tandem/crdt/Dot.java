package io.tandem.crdt;

import java.util.Objects;

/**
 * One event of one replica: the {@code counter}-th event that {@code replica} issued. Counters
 * start at 1 and never repeat, so a dot names a single write everywhere, forever.
 */
public record Dot(ReplicaId replica, long counter) implements Comparable<Dot> {

  public Dot {
    Objects.requireNonNull(replica, "replica");
    if (counter < 1) {
      throw new IllegalArgumentException("dot counter must be >= 1, was " + counter);
    }
  }

  public static Dot of(ReplicaId replica, long counter) {
    return new Dot(replica, counter);
  }

  @Override
  public int compareTo(Dot o) {
    int c = replica.compareTo(o.replica);
    return c != 0 ? c : Long.compare(counter, o.counter);
  }

  @Override
  public String toString() {
    return replica + ":" + counter;
  }
}
