package io.tandem.crdt;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * One version of a big {@link OrSet}'s entries, element to dots, or of a big {@link OrMap}'s,
 * key to slot, kept in a {@link FlatTable} that many versions share: an immutable value to its
 * users, whatever happens to the others.
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
   * that is held keeps its way to the root.
   *
   * Both costs are bounded by giving each table a share of changes (FlatTable.isDue: as many as
   * it has entries). The edit that uses the share up puts its new version on a copy of the table;
   * the versions left on the old one are then all old, and within one share of each other, so a
   * reroot among them costs at most about a copy. An old version on such a table that is edited
   * again (a branch from the past, such as a catch-up that applies its deltas to the same old
   * state time after time) first moves to a copy of its own and stays there: the next branch
   * from it reroots that copy instead of copying again. That is why a version is a handle on a
   * node of the tree of one table and not the node itself: the node stays on the way of the
   * other versions of its table, the handle moves. A move changes no content, so a version is
   * the same value before and after it, whichever thread looks.
   *
   * Versions of one table are read and edited under the table's lock, so threads may hold and
   * read different versions (a replica's writer merges while the app reads older states). A
   * rerooting read changes the table, so it takes the lock as an edit does; a lookup in the root
   * version reads optimistically (StampedLock) and takes the lock only if an edit ran meanwhile.
   * A handle changes its node only under the lock of the node's table, to a node on a fresh
   * table whose lock it takes first; so a thread that has locked a node's table and still finds
   * the node in the handle has that version until it unlocks.
   *
   * [1] Baker, Shallow Binding Makes Functional Arrays Fast, 1991
   * [2] Conchon, Filliatre, A Persistent Union-Find Data Structure, 2007
   */

  /** A place in the tree of versions of one table. */
  private static final class Node {
    final FlatTable table; // its lock guards every node on it
    FlatLog log; // null iff this node is the root
    Node next;

    Node(FlatTable table) {
      this.table = table;
    }
  }

  private volatile Node node;

  private FlatSet(Node node) {
    this.node = node;
  }

  private static FlatSet own(FlatTable table) {
    return new FlatSet(new Node(table));
  }

  /**
   * A version of its own: {@code entries}, every value a non-empty dot set, or if
   * {@code registers} a map's slot.
   */
  static FlatSet of(HashTrie<?, Object> entries, boolean registers) {
    FlatTable t = new FlatTable(registers);
    entries.forEach((e, s) -> t.insert(e, e.hashCode(), s));
    return own(t);
  }

  /** The changes an edit makes, recorded as they are made so the old version can go back. */
  static final class Edit {
    private final FlatTable table;
    private final FlatLog back = new FlatLog();

    private Edit(FlatTable table) {
      this.table = table;
    }

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
      } else if (!FlatTable.isNone(dots)) {
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

  /**
   * This version's node, its table's lock taken: the node stays this version's until the lock
   * is let go ({@link #unlock}).
   */
  private Node lock() {
    for (;;) {
      Node n = node;
      n.table.lock.writeLock();
      if (node == n) {
        return n;
      }
      n.table.lock.tryUnlockWrite(); // moved meanwhile, to a copy: lock that one
    }
  }

  private static void unlock(Node n) {
    n.table.lock.tryUnlockWrite();
  }

  <R> R read(Read<R> read) {
    Node n = lock();
    try {
      reroot(n);
      return read.apply(n.table);
    } finally {
      unlock(n);
    }
  }

  /** The version {@code change} makes of this one; this one is left as it was. */
  FlatSet edit(Change change) {
    Node n = lock();
    try {
      return editHeld(n, change);
    } finally {
      unlock(n);
    }
  }

  /** {@link #edit(Change)} with this version's node {@code n}, its table locked. */
  private FlatSet editHeld(Node n, Change change) {
    Node r = rootToEdit(n);
    try {
      Edit edit = new Edit(r.table);
      change.apply(edit);
      return edit.back.isEmpty() ? this : successor(r, edit.back);
    } finally {
      if (r != n) {
        unlock(r);
      }
    }
  }

  /**
   * The root to edit this version on, its table locked: {@code n} rerooted, or, when its table
   * is due, a node on a copy that this version moves to (its fresh table's lock taken too).
   */
  private Node rootToEdit(Node n) {
    reroot(n);
    if (!n.table.isDue()) {
      return n;
    }
    Node m = new Node(n.table.copy());
    m.table.lock.writeLock(); // free: no other thread knows the table yet
    node = m;
    return m;
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
    FlatSet o = other;
    for (;;) {
      Node mine = node;
      Node theirs = o.node;
      if (theirs.table == mine.table) {
        o = o.read(FlatSet::copy);
        continue;
      }
      boolean mineFirst = mine.table.order < theirs.table.order;
      Node first = mineFirst ? mine : theirs;
      Node second = mineFirst ? theirs : mine;
      first.table.lock.writeLock();
      try {
        second.table.lock.writeLock();
        try {
          if (node == mine && o.node == theirs) {
            reroot(theirs);
            return editHeld(mine, e -> join.apply(e, theirs.table));
          }
        } finally {
          unlock(second);
        }
      } finally {
        unlock(first);
      }
    }
  }

  /** Whether this version and {@code other} are now on one table (for tests). */
  boolean sharesTableWith(FlatSet other) {
    return node.table == other.node.table;
  }

  /** The number of live elements. */
  int size() {
    Node n = node;
    long stamp = n.table.lock.tryOptimisticRead();
    if (stamp != 0 && n.log == null) {
      int live = n.table.live;
      if (n.table.lock.validate(stamp)) {
        return live;
      }
    }
    return read(t -> t.live);
  }

  /** The dots of {@code element}, or null. */
  Object get(Object element) {
    int h = element.hashCode();
    Node n = node;
    FlatTable table = n.table;
    long stamp = table.lock.tryOptimisticRead();
    if (stamp != 0 && n.log == null) {
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
   * This version with {@code element}'s dots (or slot) {@code mine} replaced by
   * {@code f.apply(mine, arg)}, where mine is null if there are none and the result is never
   * none: an add or a put merged into its state, the one edit a replica makes all the time, with
   * no object but the new version, its node and, unless it inserts, its one-change log.
   */
  FlatSet with(Object element, Object arg, BiFunction<Object, Object, Object> f) {
    int h = element.hashCode();
    Node n = lock();
    try {
      Node r = rootToEdit(n);
      try {
        FlatTable table = r.table;
        int i = table.find(element, h);
        Object mine = i < 0 ? null : table.dots(i);
        Object joined = f.apply(mine, arg);
        if (i < 0) {
          table.insert(element, h, joined, i);
          return successor(r, FlatLog.takeBackLast());
        }
        FlatLog back = new FlatLog();
        back.set(i, mine);
        table.setDots(i, joined);
        return successor(r, back);
      } finally {
        if (r != n) {
          unlock(r);
        }
      }
    } finally {
      unlock(n);
    }
  }

  /**
   * The new version after a change of the root {@code r} (its table locked) whose way back is
   * {@code back}: a node on the same table, or, if the change used up the table's share, on a
   * copy.
   */
  private static FlatSet successor(Node r, FlatLog back) {
    FlatTable t = r.table;
    Node v = new Node(t);
    r.log = back;
    r.next = v;
    t.edits += back.size();
    return t.isDue() ? own(t.copy()) : new FlatSet(v);
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
    return own(t.copy());
  }

  /** Makes {@code n} its table's content; the caller holds the table's lock. */
  private static void reroot(Node n) {
    if (n.log == null) {
      return;
    }
    List<Node> way = new ArrayList<>();
    for (Node v = n; v.log != null; v = v.next) {
      way.add(v);
    }
    for (int k = way.size() - 1; k >= 0; k--) {
      Node v = way.get(k);
      Node succ = v.next;
      succ.log = v.log.applyTo(n.table);
      succ.next = v;
      v.log = null;
      v.next = null;
    }
  }
}
