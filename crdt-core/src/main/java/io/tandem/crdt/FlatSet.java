package io.tandem.crdt;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * One version of a big {@link OrSet}'s entries, element to dots, kept in a {@link FlatTable}
 * that many versions share: an immutable value to its users, whatever happens to the others.
 */
final class FlatSet {

  /*
   * Persistence by rerooting, Baker's "shallow binding" of diff arrays [1], as Conchon and
   * Filliatre use it for a persistent union-find [2]. Of all the versions that share a table, one
   * (the root) is the table's content; every other version holds a log of the changes that turn
   * its successor's content into its own. An edit of the root changes the table in place and
   * leaves the old root a log of one change back; a read or an edit of an older version first
   * reroots: it applies the logs on the way from the root to it, each turned around, so the old
   * version becomes the root and the newer ones hold the way forth. A replica edits its newest
   * state nearly always, so nearly every edit costs a table update and a log of its own size,
   * against a path of trie nodes copied; a version reached by a long way back costs that way.
   * Nothing newer holds anything older: an old version nobody holds is garbage, log and all; one
   * that is held keeps its way to the root, which copiedIfDue bounds.
   *
   * Versions of one table are read and edited under the table's lock, so threads may hold and
   * read different versions (a replica's writer merges while the app reads older states). A
   * rerooting read changes the table, so it takes the lock as an edit does; a lookup in the root
   * version reads optimistically (StampedLock) and takes the lock only if an edit ran meanwhile.
   *
   * [1] Baker, Shallow Binding Makes Functional Arrays Fast, 1991
   * [2] Conchon, Filliatre, A Persistent Union-Find Data Structure, 2007
   */

  private static final AtomicLong TABLES = new AtomicLong();

  private final FlatTable table; // its lock guards every version that shares it
  private final long order; // the table's place in the order locks are taken in
  private FlatLog log; // null iff this version is the root
  private FlatSet next;

  private FlatSet(FlatTable table, long order) {
    this.table = table;
    this.order = order;
  }

  /** A version of its own: {@code entries}, every value a non-empty dot set. */
  static FlatSet of(HashTrie<?, Object> entries) {
    FlatTable t = new FlatTable();
    entries.forEach((e, s) -> t.insert(e, e.hashCode(), s));
    return new FlatSet(t, TABLES.incrementAndGet());
  }

  /** The changes an edit makes, recorded as they are made so the old version can go back. */
  final class Edit {
    private final FlatLog back = new FlatLog();

    FlatTable table() {
      return table;
    }

    void set(int i, Object dots) {
      back.set(i, table.dots(i));
      table.setDots(i, dots);
    }

    /** Joins {@code dots} into {@code element}: sets them, or inserts it (unless empty). */
    void put(int i, Object element, int hash, Object dots) {
      if (i >= 0) {
        set(i, dots);
      } else if (!Dots.isEmpty(dots)) {
        table.insert(element, hash, dots);
        back.removeLast();
      }
    }

    void insert(FlatTable from, int j, Object dots) {
      table.insert(from, j, dots);
      back.removeLast();
    }
  }

  /** What an edit does; it returns nothing, its changes are the edit's. */
  interface Change {
    void apply(Edit edit);
  }

  /** What a read computes from the table holding this version. */
  interface Read<R> {
    R apply(FlatTable table);
  }

  <R> R read(Read<R> read) {
    long stamp = table.lock.writeLock();
    try {
      reroot();
      return read.apply(table);
    } finally {
      table.lock.unlockWrite(stamp);
    }
  }

  /** The version {@code change} makes of this one; this one is left as it was. */
  FlatSet edit(Change change) {
    long stamp = table.lock.writeLock();
    try {
      return editHeld(change);
    } finally {
      table.lock.unlockWrite(stamp);
    }
  }

  private FlatSet editHeld(Change change) {
    reroot();
    Edit edit = new Edit();
    change.apply(edit);
    return edit.back.isEmpty() ? this : successor(edit.back);
  }

  /** What a join with another table does; it returns nothing, its changes are the edit's. */
  interface Join {
    void apply(Edit edit, FlatTable other);
  }

  /**
   * This version with {@code other}'s joined in, where both tables must be held at once: the two
   * locks are taken in the tables' order, and a version of this same table is first copied out.
   */
  FlatSet edit(FlatSet other, Join join) {
    FlatSet o = other.table == table ? other.read(FlatSet::copy) : other;
    FlatSet first = order < o.order ? this : o;
    FlatSet second = first == this ? o : this;
    long one = first.table.lock.writeLock();
    try {
      long two = second.table.lock.writeLock();
      try {
        o.reroot();
        return editHeld(e -> join.apply(e, o.table));
      } finally {
        second.table.lock.unlockWrite(two);
      }
    } finally {
      first.table.lock.unlockWrite(one);
    }
  }

  /** The number of live elements. */
  int size() {
    long stamp = table.lock.tryOptimisticRead();
    if (stamp != 0 && log == null) {
      int live = table.live;
      if (table.lock.validate(stamp)) {
        return live;
      }
    }
    return read(t -> t.live);
  }

  /** The dots of {@code element}, or null. */
  Object get(Object element) {
    int h = element.hashCode();
    long stamp = table.lock.tryOptimisticRead();
    if (stamp != 0 && log == null) {
      try {
        int i = table.find(element, h);
        Object dots = i < 0 ? null : table.dotsIfOne(i);
        if (table.lock.validate(stamp) && dots != FlatTable.MANY) {
          return dots;
        }
      } catch (RuntimeException torn) {
        // An edit moved the arrays under this read; the locked read below is the answer.
      }
    }
    return read(t -> {
      int i = t.find(element, h);
      return i < 0 ? null : t.dots(i);
    });
  }

  /**
   * This version with {@code dot} added to {@code element}'s dots, which do not hold it: an add
   * merged into its state, the one edit a replica makes all the time, with no object but the new
   * version and its one-change log.
   */
  FlatSet withDot(Object element, Dot dot) {
    int h = element.hashCode();
    long stamp = table.lock.writeLock();
    try {
      reroot();
      FlatLog back = new FlatLog();
      int i = table.find(element, h);
      Object mine = i < 0 ? null : table.dots(i);
      if (i < 0) {
        table.insert(element, h, dot);
        back.removeLast();
      } else {
        back.set(i, mine);
        table.setDots(i, mine == null ? dot : Dots.with(mine, dot));
      }
      return successor(back);
    } finally {
      table.lock.unlockWrite(stamp);
    }
  }

  /** The new root after a change whose way back is {@code back}; the caller holds the lock. */
  private FlatSet successor(FlatLog back) {
    FlatSet v = new FlatSet(table, order);
    log = back;
    next = v;
    table.edits++;
    return v.copiedIfDue();
  }

  /** Visits each live element (rebuilt from its bytes) with its dots. */
  void forEach(BiConsumer<Object, Object> action) {
    List<Object> pairs = read(t -> {
      List<Object> out = new ArrayList<>(2 * t.live);
      for (int i = 0; i < t.count; i++) {
        if (t.isLive(i)) {
          out.add(t.element(i));
          out.add(t.dots(i));
        }
      }
      return out;
    });
    // The action runs outside the lock: it may read other versions.
    for (int k = 0; k < pairs.size(); k += 2) {
      action.accept(pairs.get(k), pairs.get(k + 1));
    }
  }

  /** The entries as a trie. */
  @SuppressWarnings("unchecked")
  <E> HashTrie<E, Object> toTrie() {
    HashTrie.Builder<E, Object> b = HashTrie.builder();
    forEach((e, s) -> b.put((E) e, s));
    return b.build();
  }

  private static FlatSet copy(FlatTable t) {
    FlatTable c = new FlatTable();
    for (int i = 0; i < t.count; i++) {
      if (t.isLive(i)) {
        c.insert(t, i, t.dots(i));
      }
    }
    return new FlatSet(c, TABLES.incrementAndGet());
  }

  /**
   * A root is copied into a table of its own when more of its entries are dead than live, or
   * when its table has taken more edits than it has entries. The second bounds what an old
   * version that someone keeps holds on to: its way to the root, a log per edit, would otherwise
   * grow with every edit made after it, forever; now it is at most one table's worth of logs and
   * the table. Each copy costs O(entries) after as many edits: O(1) per edit, as array doubling.
   */
  private FlatSet copiedIfDue() {
    int dead = table.count - table.live;
    boolean sparse = dead > 64 && dead > table.live;
    return sparse || table.edits > Math.max(table.count, 4096) ? copy(table) : this;
  }

  /** Makes this version the table's content; the caller holds the lock. */
  private void reroot() {
    if (log == null) {
      return;
    }
    List<FlatSet> way = new ArrayList<>();
    for (FlatSet v = this; v.log != null; v = v.next) {
      way.add(v);
    }
    for (int k = way.size() - 1; k >= 0; k--) {
      FlatSet v = way.get(k);
      FlatSet succ = v.next;
      succ.log = v.log.applyTo(table);
      succ.next = v;
      v.log = null;
      v.next = null;
    }
  }
}
