package io.tandem.replication.protocol;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.protocol.ProtocolException.Reason;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Vectors written against a base both peers hold: a short hash names the base, and entries are
 * named by their origin's position in the base's sorted origins (origins new to it are spelled
 * in full). This is what makes a reconnect cost the feeds that changed, not all of them, as in
 * scalable scuttlebutt [1].
 *
 * <p>The hash is the first 8 bytes of SHA-256 over the entries, so two different bases share it
 * with probability 2^-64. What a collision could do, and why it is harmless, is told in
 * {@link SyncSession}: it can only make a peer believe this replica holds more than it does,
 * and the stall check there takes that belief back.
 *
 * <p>[1] Tschudin, Baldi et al., Scuttlebutt protocol guide; van Renesse et al., Efficient
 * Reconciliation and Flow Control for Anti-Entropy Protocols, 2008
 */
final class VectorPatch {

  /** Entries split into those the dictionary names by position and those spelled in full. */
  record Split(VersionVector spelled, IndexedEntries indexed) {}

  private VectorPatch() {}

  /** The 64-bit name of {@code v}; never 0, which the wire keeps for "no base". */
  static long hash(VersionVector v) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    byte[] entry = new byte[16];
    for (int i = 0; i < v.size(); i++) {
      putLong(entry, 0, v.replicaAt(i).value());
      putLong(entry, 8, v.counterAt(i));
      sha.update(entry);
    }
    byte[] d = sha.digest();
    long h = 0;
    for (int i = 0; i < 8; i++) {
      h = h << 8 | (d[i] & 0xff);
    }
    return h == 0 ? 1 : h;
  }

  /** The entries of {@code current} that differ from {@code base}. */
  static VersionVector changed(VersionVector current, VersionVector base) {
    long[] ids = new long[current.size()];
    long[] counters = new long[current.size()];
    int n = 0;
    for (int i = 0; i < current.size(); i++) {
      if (current.counterAt(i) != base.get(current.replicaAt(i))) {
        ids[n] = current.replicaAt(i).value();
        counters[n++] = current.counterAt(i);
      }
    }
    return VersionVector.ofSorted(Arrays.copyOf(ids, n), Arrays.copyOf(counters, n));
  }

  /** {@code entries} named against {@code dictionary}'s origins where it has them. */
  static Split split(VersionVector entries, VersionVector dictionary) {
    long[] ids = new long[entries.size()];
    long[] spelledCounters = new long[entries.size()];
    int[] indices = new int[entries.size()];
    long[] indexedCounters = new long[entries.size()];
    int s = 0;
    int x = 0;
    for (int i = 0; i < entries.size(); i++) {
      ReplicaId origin = entries.replicaAt(i);
      int at = dictionary.indexOf(origin);
      if (at >= 0) {
        indices[x] = at;
        indexedCounters[x++] = entries.counterAt(i);
      } else {
        ids[s] = origin.value();
        spelledCounters[s++] = entries.counterAt(i);
      }
    }
    return new Split(VersionVector.ofSorted(Arrays.copyOf(ids, s),
        Arrays.copyOf(spelledCounters, s)),
        IndexedEntries.of(Arrays.copyOf(indices, x), Arrays.copyOf(indexedCounters, x)));
  }

  /**
   * The entries named by {@code spelled} and {@code indexed} against {@code dictionary}.
   *
   * @throws ProtocolException if a position lies beyond the dictionary
   */
  static VersionVector resolve(VersionVector spelled, IndexedEntries indexed,
      VersionVector dictionary) throws ProtocolException {
    if (indexed.isEmpty()) {
      return spelled;
    }
    long[] ids = new long[indexed.size()];
    long[] counters = new long[indexed.size()];
    for (int i = 0; i < indexed.size(); i++) {
      int at = indexed.indexAt(i);
      if (at >= dictionary.size()) {
        throw new ProtocolException(Reason.VIOLATION, "dictionary position " + at + " of "
            + dictionary.size());
      }
      ids[i] = dictionary.replicaAt(at).value();
      counters[i] = indexed.counterAt(i);
    }
    return spelled.merge(VersionVector.ofSorted(ids, counters));
  }

  private static void putLong(byte[] b, int at, long v) {
    for (int i = 0; i < 8; i++) {
      b[at + i] = (byte) (v >>> (56 - 8 * i));
    }
  }
}
