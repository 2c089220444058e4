package io.tandem.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.automerge.ChangeHash;
import org.automerge.Document;
import org.automerge.ObjectId;
import org.automerge.Transaction;

/**
 * Automerge (JNI) with a map document: a set is a map of element to {@code true}, a map of
 * registers a map of key to string. One commit per operation, for the honest comparison: a
 * commit is what makes a change another replica can take. Its "delta" is that change, as
 * {@code encodeChangesSince(heads before)} returns it (0.0.7 has no {@code saveIncremental});
 * its whole state is {@code save()}. Its memory is native, so only RSS shows it.
 */
final class AutomergePeer implements CorePeer {

  /** Saved shared pasts, by size: building one takes a commit per element. */
  private static final Map<Integer, byte[]> BASES = new HashMap<>();

  static Document setDoc(Document doc, String[] elements, List<byte[]> changes) {
    for (String e : elements) {
      ChangeHash[] heads = changes != null ? doc.getHeads() : null;
      Transaction tx = doc.startTransaction();
      tx.set(ObjectId.ROOT, e, true);
      tx.commit();
      if (changes != null) {
        changes.add(doc.encodeChangesSince(heads));
      }
    }
    return doc;
  }

  @Override
  public Object setAdds(String[] elements) {
    return setDoc(new Document(), elements, null);
  }

  @Override
  public Object mapPuts(String[] keys, String[] values) {
    Document doc = new Document();
    for (int i = 0; i < keys.length; i++) {
      Transaction tx = doc.startTransaction();
      tx.set(ObjectId.ROOT, keys[i], values[i]);
      tx.commit();
    }
    return doc;
  }

  @Override
  public Diverged diverged(int n, int k) {
    byte[] base = BASES.computeIfAbsent(n - k, m -> {
      Document d = setDoc(new Document(), Workload.elements(m), null);
      byte[] saved = d.save();
      d.free();
      return saved;
    });
    List<byte[]> leftChanges = new ArrayList<>(k);
    List<byte[]> rightChanges = new ArrayList<>(k);
    // Loaded separately, each under an actor of its own: two devices with one past.
    Document left = setDoc(Document.load(base), Workload.own("l", k), leftChanges);
    Document right = setDoc(Document.load(base), Workload.own("r", k), rightChanges);
    return new Diverged() {
      private Document l;
      private Document r;

      @Override
      public void reset() {
        // merge and applyEncodedChanges mutate: each run starts from fresh copies.
        free();
        l = left.fork();
        r = right.fork();
      }

      @Override
      public Object fullMerge() {
        l.merge(r);
        return l;
      }

      @Override
      public Object[] catchUp() {
        for (byte[] c : rightChanges) {
          l.applyEncodedChanges(c);
        }
        for (byte[] c : leftChanges) {
          r.applyEncodedChanges(c);
        }
        return new Object[] {l, r};
      }

      private void free() {
        if (l != null) {
          l.free();
          r.free();
          l = r = null;
        }
      }

      @Override
      public void close() {
        free();
        left.free();
        right.free();
      }
    };
  }

  @Override
  public long size(Object state) {
    return ((Document) state).length(ObjectId.ROOT);
  }

  @Override
  public void release(Object state) {
    if (state != null) {
      ((Document) state).free();
    }
  }

  @Override
  public long setAddDeltaBytes(int n) {
    Document doc = (Document) setAdds(Workload.elements(n));
    try {
      List<byte[]> change = new ArrayList<>(1);
      setDoc(doc, new String[] {"e" + n}, change);
      return change.get(0).length;
    } finally {
      doc.free();
    }
  }

  @Override
  public long mapUpdateDeltaBytes(int n) {
    Document doc = (Document) mapPuts(Workload.keys(n), Workload.values(n));
    try {
      ChangeHash[] heads = doc.getHeads();
      Transaction tx = doc.startTransaction();
      tx.set(ObjectId.ROOT, "k" + (n / 2), "w" + (n / 2));
      tx.commit();
      return doc.encodeChangesSince(heads).length;
    } finally {
      doc.free();
    }
  }

  @Override
  public long setStateBytes(int n) {
    Document doc = (Document) setAdds(Workload.elements(n));
    try {
      return doc.save().length;
    } finally {
      doc.free();
    }
  }

  @Override
  public long mapStateBytes(int n) {
    Document doc = (Document) mapPuts(Workload.keys(n), Workload.values(n));
    try {
      return doc.save().length;
    } finally {
      doc.free();
    }
  }

  @Override
  public boolean nativeMemory() {
    return true;
  }
}
