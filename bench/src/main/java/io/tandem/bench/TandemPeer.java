package io.tandem.bench;

import io.tandem.crdt.Hlc;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.codec.BinaryCodec;
import java.util.ArrayList;
import java.util.List;

/** Tandem's {@link OrSet} and {@link OrMap} of {@link LwwRegister}, with {@link BinaryCodec}. */
final class TandemPeer implements CorePeer {

  @Override
  public Object setAdds(String[] elements) {
    return adds(OrSet.empty(), Workload.BASE, elements, null);
  }

  @Override
  public Object mapPuts(String[] keys, String[] values) {
    OrMap<String, LwwRegister<String>> m = OrMap.empty();
    Hlc clock = Hlc.zero(Workload.BASE);
    for (int i = 0; i < keys.length; i++) {
      // Time is passed in: read the wall clock per write, as Pekko's LWWRegister does.
      clock = clock.tick(System.currentTimeMillis());
      m = m.merge(put(m, clock, keys[i], values[i]));
    }
    return m;
  }

  private static OrMap<String, LwwRegister<String>> put(OrMap<String, LwwRegister<String>> m,
      Hlc now, String key, String value) {
    return m.update(now.replica(), key, LwwRegister.<String>empty(), r -> r.assign(now, value));
  }

  private static OrSet<String> adds(OrSet<String> s, ReplicaId self, String[] elements,
      List<OrSet<String>> deltas) {
    for (String e : elements) {
      OrSet<String> d = s.add(self, e);
      if (deltas != null) {
        deltas.add(d);
      }
      s = s.merge(d);
    }
    return s;
  }

  @Override
  public Diverged diverged(int n, int k) {
    List<OrSet<String>> leftDeltas = new ArrayList<>(k);
    List<OrSet<String>> rightDeltas = new ArrayList<>(k);
    // Each side builds the shared part on its own, from fresh strings: no object is shared.
    OrSet<String> left = adds(adds(OrSet.empty(), Workload.BASE, Workload.elements(n - k), null),
        Workload.LEFT, Workload.own("l", k), leftDeltas);
    OrSet<String> right = adds(adds(OrSet.empty(), Workload.BASE, Workload.elements(n - k), null),
        Workload.RIGHT, Workload.own("r", k), rightDeltas);
    return new Diverged() {
      @Override
      public Object fullMerge() {
        return left.merge(right);
      }

      @Override
      public Object[] catchUp() {
        OrSet<String> l = left;
        for (OrSet<String> d : rightDeltas) {
          l = l.merge(d);
        }
        OrSet<String> r = right;
        for (OrSet<String> d : leftDeltas) {
          r = r.merge(d);
        }
        return new Object[] {l, r};
      }
    };
  }

  @Override
  public long size(Object state) {
    return state instanceof OrSet<?> s ? s.size() : ((OrMap<?, ?>) state).size();
  }

  @Override
  @SuppressWarnings("unchecked")
  public long setAddDeltaBytes(int n) {
    OrSet<String> s = (OrSet<String>) setAdds(Workload.elements(n));
    // As a replica stores and sends it: the record of its origin's feed names the origin.
    return BinaryCodec.encode(s.add(Workload.BASE, "e" + n), Workload.BASE).length;
  }

  @Override
  @SuppressWarnings("unchecked")
  public long mapUpdateDeltaBytes(int n) {
    OrMap<String, LwwRegister<String>> m =
        (OrMap<String, LwwRegister<String>>) mapPuts(Workload.keys(n), Workload.values(n));
    Hlc now = m.get("k" + (n / 2)).timestamp().tick(System.currentTimeMillis());
    String key = "k" + (n / 2);
    return BinaryCodec.encode(put(m, now, key, "w" + (n / 2)), Workload.BASE).length;
  }

  @Override
  public long setStateBytes(int n) {
    return BinaryCodec.encode(setAdds(Workload.elements(n))).length;
  }

  @Override
  public long mapStateBytes(int n) {
    return BinaryCodec.encode(mapPuts(Workload.keys(n), Workload.values(n))).length;
  }
}
