package io.tandem.replication;

import io.tandem.crdt.Crdt;
import io.tandem.crdt.GCounter;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.MvRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.PnCounter;
import io.tandem.replication.log.DeltaRecord;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A replica's self-destructing objects: the deadline of each, learned from the replicated
 * {@link #OBJECT registry}, and, once it passes on this replica's wall clock, the object dropped
 * from the state and its payloads purged from the store.
 *
 * <p>The law: an object's deadline is the smallest deadline any record of the registry ever gave
 * it, so it only moves earlier, and every replica holding the same records computes the same one.
 * Past it, the object is dead for good: its state is gone, every record of it in the store holds
 * the empty value of its type instead of its payload, and a record of it applied later is
 * applied as metadata only (vector, clock, listeners), its payload never stored.
 *
 * <p>Part of the replica: every method runs under the replica's lock.
 */
final class Expiry {

  /** The registry: object name to the deadlines written for it, in epoch milliseconds. */
  static final String OBJECT = "tandem.expiry";

  private static final System.Logger LOG = System.getLogger(Expiry.class.getName());

  /** The encoding of each type's empty value, by {@link #typeOf type}. */
  private static final Map<Integer, byte[]> EMPTIES = new HashMap<>();

  static {
    for (Crdt<?> empty : List.of(OrMap.empty(), OrSet.empty(), LwwRegister.empty(),
        MvRegister.empty(), GCounter.empty(), PnCounter.empty())) {
      byte[] bytes = io.tandem.crdt.codec.BinaryCodec.encode(empty);
      EMPTIES.put(typeOf(bytes), bytes);
    }
  }

  private record Due(long deadline, String object) implements Comparable<Due> {
    @Override
    public int compareTo(Due o) {
      int c = Long.compare(deadline, o.deadline);
      return c != 0 ? c : object.compareTo(o.object);
    }
  }

  private final Replica r;
  private final Map<String, Long> deadlines = new HashMap<>();
  /** Deadlines not passed yet, or passed and not swept yet. */
  private final TreeSet<Due> pending = new TreeSet<>();
  /** Dead objects swept already; a later record of one only needs its payload purged. */
  private final Set<String> swept = new HashSet<>();
  /** Dead objects whose store may hold a payload again: purged at the next sweep. */
  private final Set<String> unpurged = new LinkedHashSet<>();
  private long strippedRecords;

  Expiry(Replica replica) {
    this.r = replica;
  }

  /** The deadline of {@code object} in epoch milliseconds, or null if it never expires. */
  Long deadline(String object) {
    return deadlines.get(object);
  }

  /** Whether {@code object} is dead at wall time {@code now}. */
  boolean isDead(String object, long now) {
    Long d = deadlines.get(object);
    return d != null && d <= now;
  }

  /** Whether apps see nothing of {@code object} at {@code now}: the registry, or dead. */
  boolean hidden(String object, long now) {
    return OBJECT.equals(object) || isDead(object, now);
  }

  /** The names among {@code names} that apps see at {@code now}, sorted. */
  Set<String> visible(Set<String> names, long now) {
    TreeSet<String> out = new TreeSet<>();
    for (String name : names) {
      if (!hidden(name, now)) {
        out.add(name);
      }
    }
    return Collections.unmodifiableSet(out);
  }

  /**
   * Learns the deadlines that a value of the registry, a delta or a whole state, carries; a
   * value of any other object teaches nothing. Learning early is safe: a deadline only lowers.
   */
  void learn(String object, Crdt<?> value) {
    if (!OBJECT.equals(object) || !(value instanceof OrMap<?, ?> map)) {
      return;
    }
    map.forEach((name, v) -> {
      if (name instanceof String s && v instanceof MvRegister<?> reg) {
        for (Object d : reg.values()) {
          if (d instanceof Long deadline) {
            lower(s, deadline);
          }
        }
      }
    });
  }

  private void lower(String object, long deadline) {
    Long was = deadlines.get(object);
    if (was != null && was <= deadline) {
      return;
    }
    deadlines.put(object, deadline);
    if (was != null) {
      pending.remove(new Due(was, object));
    }
    if (!swept.contains(object)) {
      pending.add(new Due(deadline, object));
    }
  }

  /**
   * The mutation of the registry that gives {@code object} the deadline of a write made now with
   * {@code ttl}: the writer's clock plus the ttl. It writes nothing if the object already has an
   * earlier deadline: a deadline never moves later.
   */
  Mutation<OrMap<String, MvRegister<Long>>> registration(String object, Duration ttl) {
    long millis = ttl.toMillis();
    if (millis <= 0) {
      throw new IllegalArgumentException("ttl must be positive: " + ttl);
    }
    return (registry, w) -> {
      long deadline = saturatedAdd(w.hlc().wallMillis(), millis);
      // The registry as this write sees it holds own registrations still on their way to the
      // store (updateAsync), which the deadlines learned so far do not.
      Long known = deadlines.get(object);
      for (Long queued : registry.get(object, MvRegister.<Long>empty()).values()) {
        known = known == null ? queued : Math.min(known, queued);
      }
      if (known != null && known <= deadline) {
        return OrMap.empty();
      }
      return registry.update(w.replica(), object, MvRegister.<Long>empty(),
          reg -> reg.assign(w.replica(), deadline));
    };
  }

  /** @throws IllegalArgumentException if apps may not write to {@code object} */
  static String appObject(String object) {
    if (OBJECT.equals(DeltaRecord.checkObjectName(object))) {
      throw new IllegalArgumentException(object + " is the replica's own object");
    }
    return object;
  }

  /** @throws IllegalStateException if {@code object} is dead at {@code now} */
  void checkAlive(String object, long now) {
    if (isDead(object, now)) {
      throw new IllegalStateException("object " + object + " expired at "
          + deadlines.get(object) + " and takes no more writes");
    }
  }

  /**
   * The records the causal buffer released, ready to be stored: the deadlines among them are
   * learned first, then each record of an object dead at {@code now} is replaced by one with the
   * empty payload, so its value never reaches the store.
   */
  List<CausalBuffer.Received> stripped(List<CausalBuffer.Received> ready, long now) {
    for (CausalBuffer.Received x : ready) {
      learn(x.record().object(), x.delta());
    }
    List<CausalBuffer.Received> out = null;
    for (int i = 0; i < ready.size(); i++) {
      CausalBuffer.Received x = ready.get(i);
      if (isDead(x.record().object(), now) && !isEmptied(x.record().payload())) {
        if (out == null) {
          out = new ArrayList<>(ready);
        }
        out.set(i, new CausalBuffer.Received(emptied(x.record()), Crdts.emptyLike(x.delta()),
            x.from()));
        strippedRecords++;
      }
    }
    return out == null ? ready : out;
  }

  /**
   * Record {@code d}, durable now, is being applied: whether its delta goes into the state. A
   * record of a dead object does not; if it still carries a payload (the object died while it
   * was on its way to the store), the object is purged again at the next sweep.
   *
   * @return the record as it may be kept in memory and sent on: emptied if its object is dead
   */
  DeltaRecord applying(DeltaRecord d, Crdt<?> delta, long now) {
    learn(d.object(), delta);
    if (!isDead(d.object(), now)) {
      return d;
    }
    if (isEmptied(d.payload())) {
      return d;
    }
    unpurged.add(d.object());
    return emptied(d);
  }

  /**
   * The replica opened at {@code now} and learned the registry: every dead object is dropped
   * from the state rebuilt from the store, and purged again only if that state still holds
   * something (a payload that landed after the last purge, before a crash). The others were
   * purged before: their records replay to the empty value, and scanning the store again for
   * each of them would cost every open a pass over the log per expired object.
   */
  void opened(long now) {
    while (!pending.isEmpty() && pending.first().deadline() <= now) {
      String name = pending.pollFirst().object();
      swept.add(name);
      Crdt<?> v = r.objects.remove(name);
      if (v != null && !v.equals(Crdts.emptyLike(v))) {
        unpurged.add(name);
      }
    }
    sweep(now);
  }

  /**
   * Objects in {@code names} that are dead at {@code now} are purged at the next sweep, whether
   * swept before or not: a fetched snapshot, or a store reopened, may hold their values.
   */
  void recheck(Collection<String> names, long now) {
    for (String name : names) {
      if (isDead(name, now)) {
        unpurged.add(name);
      }
    }
  }

  /**
   * Drops from the state every object whose deadline passed at {@code now} and purges its
   * payloads from the store, and purges again what {@link #applying} or {@link #recheck} found.
   *
   * @return whether an object was dropped or purged
   */
  boolean sweep(long now) {
    boolean any = false;
    while (!pending.isEmpty() && pending.first().deadline() <= now) {
      String name = pending.pollFirst().object();
      swept.add(name);
      unpurged.add(name);
    }
    if (unpurged.isEmpty()) {
      return false;
    }
    List<String> names = List.copyOf(unpurged);
    unpurged.clear();
    for (String name : names) {
      Crdt<?> was = r.objects.remove(name);
      if (was != null) {
        any = true;
        r.firing.expired(name);
      }
      r.writes.replaced(name);
    }
    return purge(names) | any;
  }

  /** Purges {@code names} in one go: H2 rewrites its file once per purge, not per object. */
  private boolean purge(List<String> names) {
    int changed;
    try {
      changed = r.store.purge(names, Expiry::emptied);
    } catch (UnsupportedOperationException e) {
      LOG.log(Level.WARNING, "store cannot purge expired {0}: {1}", names, e.getMessage());
      return false;
    } catch (RuntimeException e) {
      unpurged.addAll(names); // tried again at the next sweep
      LOG.log(Level.ERROR, "purging expired {0} failed: {1}", names, e.getMessage());
      return false;
    }
    if (changed > 0) {
      // The newest records and the served snapshot are copies: read them again from the store.
      r.recent.clear();
      r.transfer.snapshotChanged();
    }
    return changed > 0;
  }

  /** Received records stored without their expired value, since the replica opened. */
  long strippedRecords() {
    return strippedRecords;
  }

  /** {@code payload} with its value left out: the encoding of its type's empty value. */
  static byte[] emptied(byte[] payload) {
    byte[] empty = EMPTIES.get(typeOf(payload));
    if (empty == null) {
      throw new IllegalStateException("payload of unknown type " + typeOf(payload));
    }
    return Arrays.equals(empty, payload) ? payload : empty.clone();
  }

  static boolean isEmptied(byte[] payload) {
    return Arrays.equals(EMPTIES.get(typeOf(payload)), payload);
  }

  /**
   * The type number of an encoded value (BinaryCodec): the low four bits of the head byte of
   * format v2 (bit 7 set), the first byte itself in format v1; -1 for no bytes.
   */
  private static int typeOf(byte[] encoded) {
    if (encoded.length == 0) {
      return -1;
    }
    int head = encoded[0] & 0xff;
    return (head & 0x80) != 0 ? head & 0x0f : head;
  }

  static DeltaRecord emptied(DeltaRecord d) {
    return new DeltaRecord(d.origin(), d.seq(), d.deps(), d.hlc(), d.object(),
        emptied(d.payload()));
  }

  private static long saturatedAdd(long a, long b) {
    long s = a + b;
    return ((a ^ s) & (b ^ s)) < 0 ? Long.MAX_VALUE : s;
  }
}
