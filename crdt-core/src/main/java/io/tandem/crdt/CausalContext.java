package io.tandem.crdt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The set of dots a replica has seen: a compact {@link VersionVector} for every gap-free prefix
 * plus a cloud of dots beyond it. It compacts itself: a cloud dot that becomes contiguous with
 * its replica's prefix moves into the vector.
 *
 * <p>{@code merge} is set union: commutative, associative and idempotent. Two contexts are equal
 * exactly when they hold the same dots, because the compact form is unique.
 */
public final class CausalContext {

  /*
   * The context is what lets add-wins collections forget removed elements: an entry whose dot is
   * in the other side's context but not in its store was removed there, so it leaves no tombstone
   * [1]. Clouds stay small (they only hold dots that arrived out of order), so a sorted array is
   * enough.
   *
   * [1] Almeida, Shoker, Baquero, Delta State Replicated Data Types, 2018
   */

  private static final Dot[] NO_DOTS = new Dot[0];
  private static final CausalContext EMPTY = new CausalContext(VersionVector.empty(), NO_DOTS);

  private final VersionVector vector;
  private final Dot[] cloud; // sorted, none covered by vector, none contiguous with it
  private int hash;

  private CausalContext(VersionVector vector, Dot[] cloud) {
    this.vector = vector;
    this.cloud = cloud;
  }

  public static CausalContext empty() {
    return EMPTY;
  }

  /** The context holding exactly the dots of {@code vector}. */
  public static CausalContext of(VersionVector vector) {
    return vector.isEmpty() ? EMPTY : new CausalContext(vector, NO_DOTS);
  }

  /** The context holding the dots of {@code vector} and {@code cloud}, compacted. */
  public static CausalContext of(VersionVector vector, Collection<Dot> cloud) {
    Dot[] dots = cloud.toArray(NO_DOTS);
    Arrays.sort(dots);
    return compact(vector, dots);
  }

  /** The context holding exactly {@code dots}. */
  public static CausalContext ofDots(Collection<Dot> dots) {
    return of(VersionVector.empty(), dots);
  }

  public static CausalContext ofDots(Dot... dots) {
    return dots.length == 1 ? ofDot(dots[0]) : of(VersionVector.empty(), Arrays.asList(dots));
  }

  /** The context holding exactly {@code dot}: what every add or update delta carries. */
  static CausalContext ofDot(Dot dot) {
    return dot.counter() == 1
        ? new CausalContext(VersionVector.of(dot.replica(), 1), NO_DOTS)
        : new CausalContext(VersionVector.empty(), new Dot[] {dot});
  }

  /** Whether this context holds {@code dot} and no other dot, as an add's delta does. */
  boolean isOnly(Dot dot) {
    if (cloud.length == 1) {
      return vector.isEmpty() && cloud[0].equals(dot);
    }
    return cloud.length == 0 && dot.counter() == 1 && vector.size() == 1
        && vector.get(dot.replica()) == 1;
  }

  /** The compact part: per replica, the gap-free prefix seen. */
  public VersionVector vector() {
    return vector;
  }

  /** The dots seen beyond the compact part, in dot order. */
  public List<Dot> cloud() {
    return Collections.unmodifiableList(Arrays.asList(cloud));
  }

  public boolean contains(Dot dot) {
    return vector.contains(dot) || Arrays.binarySearch(cloud, dot) >= 0;
  }

  /** Whether the dot {@code replica:counter} is in; allocates nothing when the cloud is empty. */
  boolean contains(ReplicaId replica, long counter) {
    return counter <= vector.get(replica)
        || cloud.length > 0 && Arrays.binarySearch(cloud, new Dot(replica, counter)) >= 0;
  }

  public boolean isEmpty() {
    return vector.isEmpty() && cloud.length == 0;
  }

  /** The number of dots held (saturating at Long.MAX_VALUE). */
  public long dotCount() {
    long t = vector.total() + cloud.length;
    return t < 0 ? Long.MAX_VALUE : t;
  }

  /**
   * The next dot for {@code replica}: one past the highest counter of it seen. A replica only
   * issues dots through its own context, so its own dots are always a gap-free prefix here.
   */
  public Dot nextDot(ReplicaId replica) {
    long max = vector.get(replica);
    for (Dot d : cloud) {
      if (d.replica().equals(replica)) {
        max = Math.max(max, d.counter());
      }
    }
    return new Dot(replica, Math.addExact(max, 1));
  }

  /** This context with {@code dot} added. */
  public CausalContext add(Dot dot) {
    if (cloud.length == 0) {
      // Gap-free, as a replica's state nearly always is: one search of the vector decides.
      VersionVector v = vector.extend(dot);
      return v == vector ? this
          : v != null ? new CausalContext(v, NO_DOTS) : new CausalContext(vector, new Dot[] {dot});
    }
    if (contains(dot)) {
      return this;
    }
    Dot[] c = Arrays.copyOf(cloud, cloud.length + 1);
    c[cloud.length] = dot;
    Arrays.sort(c);
    return compact(vector, c);
  }

  /** The union of both contexts. */
  public CausalContext merge(CausalContext other) {
    if (other == this || other.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return other;
    }
    // A one-dot delta (every local add or update) into a state: no sort, no compaction pass.
    if (other.cloud.length == 1 && other.vector.isEmpty()) {
      return add(other.cloud[0]);
    }
    if (other.cloud.length == 0 && other.vector.size() == 1 && cloud.length == 0) {
      return addPrefix(other.vector);
    }
    VersionVector v = vector.merge(other.vector);
    if (cloud.length == 0 && other.cloud.length == 0) {
      return v == vector ? this : v == other.vector ? other : new CausalContext(v, NO_DOTS);
    }
    Dot[] c = new Dot[cloud.length + other.cloud.length];
    System.arraycopy(cloud, 0, c, 0, cloud.length);
    System.arraycopy(other.cloud, 0, c, cloud.length, other.cloud.length);
    Arrays.sort(c);
    CausalContext r = compact(v, c);
    return r.equals(this) ? this : r;
  }

  /** This gap-free context joined with the one-entry vector {@code one}. */
  private CausalContext addPrefix(VersionVector one) {
    ReplicaId r = one.replicaAt(0);
    long n = one.counterAt(0);
    long have = vector.get(r);
    return n <= have ? this : new CausalContext(vector.with(r, n), NO_DOTS);
  }

  /** Whether every dot of {@code other} is in this context. */
  public boolean includes(CausalContext other) {
    if (!vector.descends(other.vector)) {
      // A cloud dot of ours may still fill what the vector lacks, so fall back to dots.
      return other.dotCount() <= 1_000_000 && allDotsIn(other);
    }
    for (Dot d : other.cloud) {
      if (!contains(d)) {
        return false;
      }
    }
    return true;
  }

  private boolean allDotsIn(CausalContext other) {
    boolean[] ok = {true};
    other.forEachDot(d -> ok[0] &= contains(d));
    return ok[0];
  }

  /**
   * Visits every dot. The compact part expands to one dot per counter, so callers bound
   * {@link #dotCount()} first.
   */
  public void forEachDot(Consumer<Dot> action) {
    vector.forEach((r, n) -> {
      for (long c = 1; c <= n; c++) {
        action.accept(new Dot(r, c));
      }
    });
    for (Dot d : cloud) {
      action.accept(d);
    }
  }

  private static CausalContext compact(VersionVector vector, Dot[] sortedCloud) {
    VersionVector v = vector;
    List<Dot> rest = null;
    Dot previous = null;
    for (Dot d : sortedCloud) {
      Objects.requireNonNull(d, "dot");
      if (d.equals(previous)) {
        continue;
      }
      previous = d;
      long have = v.get(d.replica());
      if (d.counter() <= have) {
        continue;
      }
      if (d.counter() == have + 1) {
        v = v.with(d.replica(), d.counter());
        continue;
      }
      if (rest == null) {
        rest = new ArrayList<>();
      }
      rest.add(d);
    }
    if (rest == null) {
      return v.isEmpty() ? EMPTY : new CausalContext(v, NO_DOTS);
    }
    // One pass suffices: the cloud is sorted by counter within a replica, so a dot that was kept
    // (a gap before it) cannot become contiguous through a dot that comes after it.
    return new CausalContext(v, rest.toArray(NO_DOTS));
  }

  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof CausalContext c
        && vector.equals(c.vector) && Arrays.equals(cloud, c.cloud);
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      h = 31 * vector.hashCode() + Arrays.hashCode(cloud);
      hash = h;
    }
    return h;
  }

  @Override
  public String toString() {
    return cloud.length == 0 ? vector.toString() : vector + "+" + Arrays.toString(cloud);
  }
}
