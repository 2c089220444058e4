package io.tandem.crdt;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ObjLongConsumer;

/**
 * An immutable version vector: for each replica, the highest counter of a gap-free prefix
 * 1..n of its events. Absent replicas count as 0.
 *
 * <p>{@code merge} is the pointwise maximum: commutative, associative and idempotent.
 * {@code a.descends(b)} holds when {@code a} has seen everything {@code b} has.
 */
public final class VersionVector {

  /*
   * Entries live in two parallel arrays sorted by unsigned replica id, with no zero counters.
   * One person's data has a handful of devices, so binary search and whole-array copies beat a
   * map in time and, above all, in bytes per entry.
   */

  private static final VersionVector EMPTY = new VersionVector(new long[0], new long[0]);

  private final long[] ids;
  private final long[] counters;
  private int hash;

  private VersionVector(long[] ids, long[] counters) {
    this.ids = ids;
    this.counters = counters;
  }

  public static VersionVector empty() {
    return EMPTY;
  }

  /** A vector holding the given entries; zero counters are dropped, negative ones rejected. */
  public static VersionVector of(Map<ReplicaId, Long> entries) {
    VersionVector v = EMPTY;
    for (Map.Entry<ReplicaId, Long> e : entries.entrySet()) {
      v = v.with(e.getKey(), e.getValue());
    }
    return v;
  }

  /**
   * A vector from parallel arrays, in one pass: what decoders use, so that a vector of n entries
   * costs O(n) however it arrives. The arrays are copied.
   *
   * @throws IllegalArgumentException unless ids ascend strictly as unsigned numbers, none is 0,
   *     and every counter is positive
   */
  public static VersionVector ofSorted(long[] ids, long[] counters) {
    if (ids.length != counters.length) {
      throw new IllegalArgumentException("ids and counters differ in length");
    }
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] == 0 || counters[i] < 1) {
        throw new IllegalArgumentException("bad entry " + ids[i] + "=" + counters[i]);
      }
      if (i > 0 && Long.compareUnsigned(ids[i - 1], ids[i]) >= 0) {
        throw new IllegalArgumentException("ids not strictly ascending");
      }
    }
    return ids.length == 0 ? EMPTY : new VersionVector(ids.clone(), counters.clone());
  }

  public static VersionVector of(ReplicaId replica, long counter) {
    return EMPTY.with(replica, counter);
  }

  /** The counter of {@code replica}, 0 if it is absent. */
  public long get(ReplicaId replica) {
    int i = indexOf(replica.value());
    return i >= 0 ? counters[i] : 0;
  }

  /** Whether this vector covers {@code dot}. */
  public boolean contains(Dot dot) {
    return dot.counter() <= get(dot.replica());
  }

  /**
   * A copy with the counter of {@code replica} set to {@code counter} (0 removes the entry).
   *
   * @throws IllegalArgumentException if counter is negative
   */
  public VersionVector with(ReplicaId replica, long counter) {
    if (counter < 0) {
      throw new IllegalArgumentException("negative counter " + counter + " for " + replica);
    }
    int i = indexOf(replica.value());
    if (i >= 0) {
      if (counters[i] == counter) {
        return this;
      }
      if (counter == 0) {
        return new VersionVector(removeAt(ids, i), removeAt(counters, i));
      }
      long[] c = counters.clone();
      c[i] = counter;
      return new VersionVector(ids, c);
    }
    if (counter == 0) {
      return this;
    }
    int at = -i - 1;
    return new VersionVector(insertAt(ids, at, replica.value()), insertAt(counters, at, counter));
  }

  /**
   * This vector extended by {@code dot}, in one search: itself when it covers the dot, a copy
   * whose entry for the dot's replica is the dot's counter when the dot directly follows it, and
   * null when a gap would lie between them.
   */
  VersionVector extend(Dot dot) {
    long c = dot.counter();
    long id = dot.replica().value();
    int i = indexOf(id);
    long have = i >= 0 ? counters[i] : 0;
    if (c <= have) {
      return this;
    }
    if (c != have + 1) {
      return null;
    }
    if (i >= 0) {
      long[] n = counters.clone();
      n[i] = c;
      return new VersionVector(ids, n);
    }
    int at = -i - 1;
    return new VersionVector(insertAt(ids, at, id), insertAt(counters, at, c));
  }

  /** A copy whose entry for {@code replica} is one higher. */
  public VersionVector increment(ReplicaId replica) {
    return with(replica, Math.addExact(get(replica), 1));
  }

  /** The pointwise maximum. */
  public VersionVector merge(VersionVector other) {
    if (other.ids.length == 0 || this == other) {
      return this;
    }
    if (ids.length == 0) {
      return other;
    }
    long[] ri = new long[ids.length + other.ids.length];
    long[] rc = new long[ri.length];
    int i = 0;
    int j = 0;
    int n = 0;
    boolean sameAsThis = true;
    boolean sameAsOther = true;
    while (i < ids.length || j < other.ids.length) {
      int c = i == ids.length ? 1 : j == other.ids.length ? -1
          : Long.compareUnsigned(ids[i], other.ids[j]);
      if (c < 0) {
        ri[n] = ids[i];
        rc[n++] = counters[i++];
        sameAsOther = false;
      } else if (c > 0) {
        ri[n] = other.ids[j];
        rc[n++] = other.counters[j++];
        sameAsThis = false;
      } else {
        long a = counters[i++];
        long b = other.counters[j++];
        ri[n] = other.ids[j - 1];
        rc[n++] = Math.max(a, b);
        sameAsThis &= a >= b;
        sameAsOther &= b >= a;
      }
    }
    if (sameAsThis) {
      return this;
    }
    if (sameAsOther) {
      return other;
    }
    return new VersionVector(Arrays.copyOf(ri, n), Arrays.copyOf(rc, n));
  }

  /** Whether this vector has seen every event {@code other} has seen. */
  public boolean descends(VersionVector other) {
    Causality c = compare(other);
    return c == Causality.AFTER || c == Causality.EQUAL;
  }

  /** How this vector relates to {@code other}. */
  public Causality compare(VersionVector other) {
    boolean less = false;
    boolean more = false;
    int i = 0;
    int j = 0;
    while (i < ids.length || j < other.ids.length) {
      int c = i == ids.length ? 1 : j == other.ids.length ? -1
          : Long.compareUnsigned(ids[i], other.ids[j]);
      if (c < 0) {
        more = true;
        i++;
      } else if (c > 0) {
        less = true;
        j++;
      } else {
        long a = counters[i++];
        long b = other.counters[j++];
        more |= a > b;
        less |= a < b;
      }
      if (less && more) {
        return Causality.CONCURRENT;
      }
    }
    return less ? Causality.BEFORE : more ? Causality.AFTER : Causality.EQUAL;
  }

  /** Number of replicas with a non-zero counter. */
  public int size() {
    return ids.length;
  }

  public boolean isEmpty() {
    return ids.length == 0;
  }

  /** The number of events covered: the sum of all counters (saturating). */
  public long total() {
    long t = 0;
    for (long c : counters) {
      t += c;
      if (t < 0) {
        return Long.MAX_VALUE;
      }
    }
    return t;
  }

  /** Visits the entries in replica order. */
  public void forEach(ObjLongConsumer<ReplicaId> action) {
    for (int i = 0; i < ids.length; i++) {
      action.accept(new ReplicaId(ids[i]), counters[i]);
    }
  }

  /** The entries in replica order, as an unmodifiable map. */
  public Map<ReplicaId, Long> asMap() {
    Map<ReplicaId, Long> m = new LinkedHashMap<>();
    forEach(m::put);
    return Collections.unmodifiableMap(m);
  }

  /** The replica at position {@code i} in replica order (0 &lt;= i &lt; size()). */
  public ReplicaId replicaAt(int i) {
    return new ReplicaId(ids[i]);
  }

  /** The counter at position {@code i} in replica order. */
  public long counterAt(int i) {
    return counters[i];
  }

  /**
   * The position of {@code replica} in replica order, or {@code -(insertion point) - 1} when it
   * has no entry: what a peer holding the same vector can name it by.
   */
  public int indexOf(ReplicaId replica) {
    return indexOf(replica.value());
  }

  private int indexOf(long id) {
    int lo = 0;
    int hi = ids.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = Long.compareUnsigned(ids[mid], id);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -(lo + 1);
  }

  private static long[] insertAt(long[] a, int at, long v) {
    long[] r = new long[a.length + 1];
    System.arraycopy(a, 0, r, 0, at);
    r[at] = v;
    System.arraycopy(a, at, r, at + 1, a.length - at);
    return r;
  }

  private static long[] removeAt(long[] a, int at) {
    long[] r = new long[a.length - 1];
    System.arraycopy(a, 0, r, 0, at);
    System.arraycopy(a, at + 1, r, at, a.length - at - 1);
    return r;
  }

  @Override
  public boolean equals(Object o) {
    return o == this || o instanceof VersionVector v
        && Arrays.equals(ids, v.ids) && Arrays.equals(counters, v.counters);
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      h = 31 * Arrays.hashCode(ids) + Arrays.hashCode(counters);
      hash = h;
    }
    return h;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < ids.length; i++) {
      if (i > 0) {
        b.append(", ");
      }
      b.append(new ReplicaId(ids[i])).append('=').append(counters[i]);
    }
    return b.append('}').toString();
  }
}
