package io.tandem.crdt;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.StampedLock;

/**
 * A mutable hash table from scalar elements to their dots, packed into a few flat arrays: the
 * storage under a big {@link OrSet}, or, with its registers, from keys to values under a big
 * {@link OrMap}. Only {@link FlatSet} touches it, under its lock; the public types stay
 * immutable values because every change goes through a {@link FlatSet} version.
 */
final class FlatTable {

  /*
   * Entries are dense, in insertion order (so the last one can be taken back exactly, which is
   * what undoing an insert needs): entry i has a hash, the offset of its element's bytes in the
   * pool, and its dots. A single dot, nearly every element's, is a replica index into a small
   * table and a counter; two or more go to a side map. An element whose dots all went stays as a
   * dead entry until the table is rebuilt. The index is open addressing with linear probing over
   * entry numbers (plus one; 0 is empty), each slot's spare high bits holding those of its entry's
   * hash, so a probe past other entries reads the index alone, not their arrays. Entries are only
   * ever appended or taken back last first, so no probe chain ever has a hole, and no tombstone
   * is needed.
   * A map's table holds a key's slot (a DotStore or a Clash) where a set's holds dots: the
   * common slot, a DotFun of one dot whose value is a written LwwRegister, is packed as that dot
   * and a register in FlatRegisters' columns; any other slot goes to the side map.
   * Elements are packed as PackedScalars writes them. Per element of a short ASCII string that
   * is about 20 B of entry, 8 B of index and the string's length plus two bytes of pool, against
   * 48 B for the String object alone.
   */

  static final int DEAD = -2;
  /** What {@link #dotsIfOne} returns for an entry of two or more dots. */
  static final Object MANY = new Object();
  private static final int MULTI = -1;
  private static final AtomicLong TABLES = new AtomicLong();

  /** Guards the table and the versions of it (see {@link FlatSet}). */
  final StampedLock lock = new StampedLock();
  /** The table's place in the order locks are taken in. */
  final long order = TABLES.incrementAndGet();

  int count; // entries, live and dead
  int edits; // changes logged by the edits made on this table
  int live;
  private int[] hashes = new int[16];
  private int[] offsets = new int[16];
  private long[] counters = new long[16];
  private int[] reps = new int[16];
  private byte[] pool = new byte[64];
  private int poolLength;
  private int[] index = new int[32];
  private int shift = 32 - 5;
  private int entryMask = (1 << 6) - 1; // the low bits of a slot: entry number + 1, up to capacity
  private Map<Integer, Object> multi = new HashMap<>();
  private ReplicaId[] replicas = new ReplicaId[4];
  private int replicaCount;
  private int lastReplica = -1;
  private Map<ReplicaId, Integer> replicaIndex = new HashMap<>();
  private FlatRegisters regs; // a map's table only

  /** A map's table if {@code registers}, a set's otherwise. */
  FlatTable(boolean registers) {
    regs = registers ? new FlatRegisters(hashes.length) : null;
  }

  /**
   * Whether this table has done its share: more of its entries are dead than live, or it has
   * taken more changes than it has entries (at least 4,096). The second bounds the way between
   * any two versions of one table, so that reaching an old version by rerooting never costs much
   * more than copying it, and what an old version that someone holds keeps alive: at most this
   * table and one table's worth of logs. A table that is due takes no more edits (see
   * {@link FlatSet}); each copy costs O(entries) after as many changes, O(1) per change, as array
   * doubling. A growing set (each add inserts) never reaches it.
   */
  boolean isDue() {
    int dead = count - live;
    return dead > 64 && dead > live || edits > Math.max(count, 4096)
        || regs != null && regs.isWasteful();
  }

  /**
   * A table of its own with this one's content and no edits yet: the arrays cloned, or, when
   * most entries are dead, the live ones inserted afresh.
   */
  FlatTable copy() {
    FlatTable c = new FlatTable(regs != null);
    int dead = count - live;
    if (dead > 64 && dead > live) {
      for (int i = 0; i < count; i++) {
        if (isLive(i)) {
          c.insert(this, i, dots(i));
        }
      }
      return c;
    }
    c.count = count;
    c.live = live;
    c.hashes = hashes.clone();
    c.offsets = offsets.clone();
    c.counters = counters.clone();
    c.reps = reps.clone();
    c.pool = pool.clone();
    c.poolLength = poolLength;
    c.index = index.clone();
    c.shift = shift;
    c.entryMask = entryMask;
    c.multi = new HashMap<>(multi); // its values are immutable
    c.replicas = replicas.clone();
    c.replicaCount = replicaCount;
    c.replicaIndex = new HashMap<>(replicaIndex);
    if (regs != null) {
      boolean[] packed = new boolean[count];
      for (int i = 0; i < count; i++) {
        packed[i] = reps[i] >= 0;
      }
      c.regs = regs.copy(count, hashes.length, packed);
    }
    return c;
  }

  /**
   * The entry holding {@code element}, or if there is none a negative number, {@code -1 - s}
   * where s is the free slot the search ended on: where an insert of it that follows, with no
   * change between, puts it (see {@link #insert(Object, int, Object, int)}).
   */
  int find(Object element, int hash) {
    int high = hash & ~entryMask;
    for (int s = slot(hash); ; s = (s + 1) & (index.length - 1)) {
      int v = index[s];
      if (v == 0) {
        return -1 - s;
      }
      if ((v & ~entryMask) == high && holds((v & entryMask) - 1, element)) {
        return (v & entryMask) - 1;
      }
    }
  }

  /** The entry holding the element of {@code other}'s entry {@code j}, or -1. */
  int find(FlatTable other, int j) {
    int hash = other.hashes[j];
    int from = other.offsets[j];
    int to = from + other.length(j);
    int high = hash & ~entryMask;
    for (int s = slot(hash); ; s = (s + 1) & (index.length - 1)) {
      int v = index[s];
      if (v == 0) {
        return -1;
      }
      int e = (v & entryMask) - 1;
      if ((v & ~entryMask) == high && hashes[e] == hash && Arrays.equals(
          pool, offsets[e], offsets[e] + length(e), other.pool, from, to)) {
        return e;
      }
    }
  }

  int hash(int i) {
    return hashes[i];
  }

  /**
   * Entry {@code i}'s dots as {@link Dots} keeps them (a Dot or Dots), or its slot in a map's
   * table, or null when dead.
   */
  Object dots(int i) {
    int r = reps[i];
    return r >= 0 ? packed(i, r) : r == MULTI ? multi.get(i) : null;
  }

  /** Entry {@code i}'s packed dot, or in a map's table its one-dot function. */
  private Object packed(int i, int r) {
    Dot dot = new Dot(replicas[r], counters[i]);
    return regs == null ? dot : DotFun.single(dot, regs.get(i, replicas[regs.writer(i)]));
  }

  /**
   * Entry {@code i}'s one dot, null when dead, or {@link #MANY}: what a read without the lock
   * may compute, since it never reaches into the side map (nor into a map's value pool).
   */
  Object dotsIfOne(int i) {
    int r = reps[i];
    return r >= 0 && regs == null ? new Dot(replicas[r], counters[i]) : r == DEAD ? null : MANY;
  }

  boolean isLive(int i) {
    return reps[i] != DEAD;
  }

  /** Whether entry {@code i}'s dots are exactly {@code replica}'s {@code counter}. */
  boolean isOnly(int i, ReplicaId replica, long counter) {
    int r = reps[i];
    return r >= 0 && counters[i] == counter && replicas[r].equals(replica);
  }

  /** Whether entry {@code i} here and entry {@code j} of {@code other} hold the same one dot. */
  boolean sameDot(int i, FlatTable other, int j) {
    int r = reps[i];
    int q = other.reps[j];
    return r >= 0 && q >= 0 && counters[i] == other.counters[j]
        && replicas[r].equals(other.replicas[q])
        && (regs == null || regs.same(i, other.regs, j)
            && replicas[regs.writer(i)].equals(other.replicas[other.regs.writer(j)]));
  }

  /** Whether {@code seen} covers any of entry {@code i}'s dots. */
  boolean anySeen(int i, CausalContext seen) {
    int r = reps[i];
    if (r >= 0) {
      return seen.contains(replicas[r], counters[i]);
    }
    if (r == DEAD) {
      return false;
    }
    boolean[] any = {false};
    Object slot = multi.get(i);
    if (regs == null) {
      Dots.forEach(slot, d -> any[0] |= seen.contains(d));
    } else {
      for (DotStore store : Clash.storesOf(slot)) {
        store.forEachDot(d -> any[0] |= seen.contains(d));
      }
    }
    return any[0];
  }

  /** Whether {@code dots} (or a map's slot) is none: null, {@link Dots#NONE}, a removal. */
  static boolean isNone(Object dots) {
    return dots == null || Dots.isEmpty(dots) || Clash.isEmpty(dots);
  }

  /** Sets entry {@code i}'s dots (a map's slot in a map's table); {@link #isNone} kills it. */
  void setDots(int i, Object dots) {
    boolean was = reps[i] != DEAD;
    if (reps[i] == MULTI) {
      multi.remove(i);
    } else if (reps[i] >= 0 && regs != null) {
      regs.drop(i);
    }
    if (isNone(dots)) {
      reps[i] = DEAD;
      counters[i] = 0;
    } else if (dots instanceof Dot d) {
      reps[i] = replica(d.replica());
      counters[i] = d.counter();
    } else if (regs != null && dots instanceof DotFun<?> f && f.onlyDot() != null
        && FlatRegisters.fits(f.value())) {
      LwwRegister<?> r = (LwwRegister<?>) f.value();
      Hlc ts = r.timestamp();
      regs.set(i, ts, replica(ts.replica()), r.value());
      reps[i] = replica(f.onlyDot().replica());
      counters[i] = f.onlyDot().counter();
    } else {
      reps[i] = MULTI;
      counters[i] = 0;
      multi.put(i, dots);
    }
    live += (reps[i] != DEAD ? 1 : 0) - (was ? 1 : 0);
  }

  /** Appends {@code element} with {@code dots} (not empty); the caller knows it is absent. */
  int insert(Object element, int hash, Object dots) {
    return insert(element, hash, dots, 0);
  }

  /**
   * As {@link #insert(Object, int, Object)}, where {@code absent} is what {@link #find} has just
   * returned for the element: the search for its slot is not walked again. (0 for not known.)
   */
  int insert(Object element, int hash, Object dots, int absent) {
    int at = poolLength;
    encode(element);
    return append(hash, at, dots, absent);
  }

  /** Appends the element stored as {@code bytes} with {@code dots}. */
  int insert(int hash, byte[] bytes, int from, int to, Object dots) {
    int at = poolLength;
    reserve(to - from);
    System.arraycopy(bytes, from, pool, at, to - from);
    poolLength += to - from;
    return append(hash, at, dots, 0);
  }

  /** Appends entry {@code j} of {@code other}, with {@code dots}. */
  int insert(FlatTable other, int j, Object dots) {
    return insert(other.hashes[j], other.pool, other.offsets[j],
        other.offsets[j] + other.length(j), dots);
  }

  /** A copy of entry {@code i}'s element bytes. */
  byte[] bytes(int i) {
    return Arrays.copyOfRange(pool, offsets[i], offsets[i] + length(i));
  }

  /** Takes back the last entry appended, exactly as it was before. */
  void removeLast() {
    int e = count - 1;
    setDots(e, null);
    int s = slot(hashes[e]);
    while ((index[s] & entryMask) != e + 1) {
      s = (s + 1) & (index.length - 1);
    }
    // The last entry appended is at the end of its probe chain: nothing probed past it since.
    index[s] = 0;
    poolLength = offsets[e];
    count = e;
  }

  /** Entry {@code i}'s element, rebuilt from its bytes. */
  Object element(int i) {
    return PackedScalars.read(pool, offsets[i]);
  }

  /** Whether entry {@code e} holds an element equal to {@code element}. */
  private boolean holds(int e, Object element) {
    return PackedScalars.holds(pool, offsets[e], element);
  }

  private int length(int i) {
    return PackedScalars.length(pool, offsets[i]);
  }

  private void encode(Object element) {
    reserve(PackedScalars.sizeBound(element));
    poolLength = PackedScalars.write(element, pool, poolLength);
  }

  private void reserve(int n) {
    if (poolLength + n > pool.length) {
      pool = Arrays.copyOf(pool, Math.max(pool.length * 2, poolLength + n));
    }
  }

  /** Appends an entry; {@code absent}, unless 0, is its free slot as {@link #find} gave it. */
  private int append(int hash, int at, Object dots, int absent) {
    int e = count;
    if (e == hashes.length) {
      int n = e * 2;
      hashes = Arrays.copyOf(hashes, n);
      offsets = Arrays.copyOf(offsets, n);
      counters = Arrays.copyOf(counters, n);
      reps = Arrays.copyOf(reps, n);
      if (regs != null) {
        regs.grow(n);
      }
    }
    hashes[e] = hash;
    offsets[e] = at;
    reps[e] = DEAD;
    count = e + 1;
    setDots(e, dots);
    if (4L * count > 3L * index.length) {
      rehash(index.length * 2);
    } else if (absent < 0) {
      index[-1 - absent] = hash & ~entryMask | e + 1;
    } else {
      place(e);
    }
    return e;
  }

  private void place(int e) {
    int s = slot(hashes[e]);
    while (index[s] != 0) {
      s = (s + 1) & (index.length - 1);
    }
    index[s] = hashes[e] & ~entryMask | e + 1;
  }

  /** Rebuilds the index in entry order, so it is laid out as if every entry were put in turn. */
  private void rehash(int capacity) {
    index = new int[capacity];
    shift = 32 - Integer.numberOfTrailingZeros(capacity);
    entryMask = (capacity << 1) - 1;
    for (int e = 0; e < count; e++) {
      place(e);
    }
  }

  private int slot(int hash) {
    return (hash * 0x9E3779B9) >>> shift;
  }

  private int replica(ReplicaId id) {
    if (lastReplica >= 0 && replicas[lastReplica].equals(id)) {
      return lastReplica; // a run of adds nearly always comes from one replica
    }
    Integer r = replicaIndex.get(id);
    if (r != null) {
      lastReplica = r;
      return r;
    }
    lastReplica = replicaCount;
    if (replicaCount == replicas.length) {
      replicas = Arrays.copyOf(replicas, replicaCount * 2);
    }
    replicas[replicaCount] = id;
    replicaIndex.put(id, replicaCount);
    return replicaCount++;
  }
}
