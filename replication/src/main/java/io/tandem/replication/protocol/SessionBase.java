package io.tandem.replication.protocol;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.protocol.Message.Ack;
import io.tandem.replication.protocol.Message.Range;
import io.tandem.replication.protocol.Message.Request;
import io.tandem.replication.protocol.Message.Summary;
import io.tandem.replication.spi.SyncBase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One session's share of the sync base with its peer: what this replica told the peer and
 * heard from it (saved through {@link SyncSession.Local#saveBase} after every change), the
 * dictionary this side's acks name origins in, and the peer's dictionaries this side can read.
 * It writes and reads summaries and acks against them; {@link SyncSession} decides when.
 *
 * <p>Everything kept here was stated by the peer or to it, and counters only grow, so a base
 * can be stale but never ahead of the truth; see {@link SyncSession} for what a hash collision
 * could do and why it only costs time.
 */
final class SessionBase {

  private static final int MAX_DICTIONARIES = 3;

  private final SyncSession.Local local;
  private ReplicaId peer;
  /** What we have told the peer we hold. */
  private VersionVector told = VersionVector.empty();
  /** Everything the peer stated it holds, in summaries and acks. */
  private VersionVector heard = VersionVector.empty();
  /** The origins our acks name by position, and the hash the peer knows them by. */
  private VersionVector dictionary = VersionVector.empty();
  private long dictionaryHash = Summary.WHOLE;
  /** The dictionary of the peer's latest summary, which our requests name origins in. */
  private VersionVector peerDictionary = VersionVector.empty();
  private long peerDictionaryHash = Summary.WHOLE;
  /**
   * Vectors the peer may name by hash: the base we saved and the last whole ones it sent. A
   * few at most, so a peer repeating huge summaries cannot make a session hold many.
   */
  private final Map<Long, VersionVector> peerDictionaries = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, VersionVector> eldest) {
      return size() > MAX_DICTIONARIES;
    }
  };

  SessionBase(SyncSession.Local local) {
    this.local = local;
  }

  VersionVector told() {
    return told;
  }

  /**
   * The first summary to {@code peer}: against the base saved with it when there is one we can
   * write against, else whole.
   */
  Summary open(ReplicaId peer) {
    this.peer = peer;
    SyncBase base = local.base(peer);
    heard = base.heard();
    peerDictionaries.put(VectorPatch.hash(heard), heard);
    VersionVector mine = local.vector();
    if (base.told().isEmpty() || !mine.descends(base.told())) {
      return whole(0);
    }
    // The peer saved what we told it: say only what differs, naming origins it knows by position.
    dictionary = base.told();
    dictionaryHash = VectorPatch.hash(dictionary);
    VectorPatch.Split patch = VectorPatch.split(VectorPatch.changed(mine, dictionary), dictionary);
    told = mine;
    save();
    return new Summary(dictionaryHash, patch.spelled(), patch.indexed(), 0);
  }

  /** Our whole vector, which also becomes the dictionary our acks name origins in. */
  Summary whole(int flags) {
    told = local.vector();
    dictionary = told;
    dictionaryHash = VectorPatch.hash(told);
    save();
    return new Summary(Summary.WHOLE, told, IndexedEntries.NONE, flags);
  }

  /**
   * The peer's whole vector as {@code s} states it, or null when {@code s} is written against a
   * base we do not hold, or resolves to a claim on more of our own feed than exists (which only
   * a base mistaken for another could produce): the caller then asks for the whole vector.
   */
  VersionVector resolve(Summary s) throws ProtocolException {
    if (s.isWhole()) {
      peerDictionaryHash = VectorPatch.hash(s.vector());
      peerDictionary = s.vector();
      peerDictionaries.put(peerDictionaryHash, s.vector());
      // A whole vector supersedes every earlier statement of the peer, wrong beliefs included.
      heard = s.vector();
      save();
      return s.vector();
    }
    VersionVector base = readable(s.base(), s.indexed());
    if (base == null) {
      return null;
    }
    VersionVector v = base.merge(VectorPatch.resolve(s.vector(), s.indexed(), base));
    if (claimsTooMuch(v)) {
      return null;
    }
    peerDictionaryHash = s.base();
    peerDictionary = base;
    heard = heard.merge(v);
    save();
    return v;
  }

  /**
   * The entries {@code a} states. Positions in a dictionary we do not hold are dropped (acks are
   * repeated, spelled out, when records come again, so this only delays), and so are positions
   * whose origins would claim more of our own feed than exists.
   */
  VersionVector resolve(Ack a) throws ProtocolException {
    VersionVector v = a.vector();
    VersionVector dict = a.indexed().isEmpty() ? null : readable(a.dictionary(), a.indexed());
    if (dict != null) {
      VersionVector both = VectorPatch.resolve(v, a.indexed(), dict);
      v = claimsTooMuch(both) ? v : both;
    }
    VersionVector before = heard;
    heard = heard.merge(v);
    if (heard != before) {
      save();
    }
    return v;
  }

  /** An ack for {@code grown}, naming origins our dictionary holds by position unless spelled. */
  Ack ack(VersionVector grown, boolean spelled) {
    told = told.merge(grown);
    save();
    if (spelled) {
      return new Ack(grown);
    }
    VectorPatch.Split split = VectorPatch.split(grown, dictionary);
    return split.indexed().isEmpty() ? new Ack(grown)
        : new Ack(split.spelled(), dictionaryHash, split.indexed());
  }

  /**
   * A request for {@code want}: origins the peer's latest summary dictionary holds named by
   * position (from their first seq on, up to all the peer holds), others spelled out.
   */
  Request request(List<Range> want) {
    List<Range> spelled = new ArrayList<>();
    int[] at = new int[want.size()];
    long[] from = new long[want.size()];
    int n = 0;
    for (Range r : want) {
      int i = peerDictionary.indexOf(r.origin());
      if (i >= 0 && (n == 0 || i > at[n - 1])) {
        at[n] = i;
        from[n++] = r.from();
      } else {
        spelled.add(r);
      }
    }
    return n == 0 ? new Request(spelled) : new Request(spelled, tag(peerDictionaryHash),
        IndexedEntries.of(Arrays.copyOf(at, n), Arrays.copyOf(from, n)));
  }

  /**
   * What {@code q} asks for, ranges up to {@code mine}: positions resolved in our dictionary if
   * its tag is ours, else dropped (our offer is resent, so that only delays), as are positions
   * beyond it.
   */
  List<Range> resolve(Request q, VersionVector mine) {
    if (q.indexed().isEmpty() || q.tag() != tag(dictionaryHash)) {
      return q.ranges();
    }
    List<Range> out = new ArrayList<>(q.ranges());
    IndexedEntries x = q.indexed();
    for (int i = 0; i < x.size() && x.indexAt(i) < dictionary.size(); i++) {
      ReplicaId origin = dictionary.replicaAt(x.indexAt(i));
      if (x.counterAt(i) <= mine.get(origin)) {
        out.add(new Range(origin, x.counterAt(i), mine.get(origin)));
      }
    }
    return out;
  }

  private static int tag(long hash) {
    return (int) (hash & 0xff);
  }

  /** Every entry of {@code a}, an ack this side sent, its positions resolved. */
  VersionVector entriesOf(Ack a) throws ProtocolException {
    return a.indexed().isEmpty() ? a.vector()
        : VectorPatch.resolve(a.vector(), a.indexed(), dictionary);
  }

  /** The peer's dictionary named {@code hash}, if it holds every position in {@code x}. */
  private VersionVector readable(long hash, IndexedEntries x) {
    VersionVector dict = peerDictionaries.get(hash);
    return dict == null || !x.isEmpty() && x.indexAt(x.size() - 1) >= dict.size() ? null : dict;
  }

  private boolean claimsTooMuch(VersionVector v) {
    return v.get(local.id()) > local.vector().get(local.id());
  }

  private void save() {
    local.saveBase(peer, new SyncBase(told, heard));
  }
}
