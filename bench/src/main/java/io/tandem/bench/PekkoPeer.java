package io.tandem.bench;

import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.ORSet;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.protobuf.ReplicatedDataSerializer;
import scala.concurrent.Await;
import scala.concurrent.duration.Duration;

/**
 * Pekko Distributed Data's {@code ORSet} and {@code LWWMap} (an {@code ORMap} of
 * {@code LWWRegister}), without a cluster, as its Replicator drives them: mutate, take the
 * accumulated delta, reset it. Bytes come from its own {@code ReplicatedDataSerializer}, which
 * needs only a local actor system.
 */
final class PekkoPeer implements CorePeer {

  private static SelfUniqueAddress node(String host, long uid) {
    return new SelfUniqueAddress(new UniqueAddress(new Address("pekko", "Sys", host, 2552), uid));
  }

  static final SelfUniqueAddress BASE = node("base", 1);
  static final SelfUniqueAddress LEFT = node("left", 2);
  static final SelfUniqueAddress RIGHT = node("right", 3);

  private ActorSystem system;
  private ReplicatedDataSerializer serializer;

  @Override
  public Object setAdds(String[] elements) {
    return adds(ORSet.create(), BASE, elements, null);
  }

  private static ORSet<String> adds(ORSet<String> s, SelfUniqueAddress self, String[] elements,
      List<ORSet.DeltaOp> deltas) {
    for (String e : elements) {
      ORSet<String> next = s.add(self, e);
      ORSet.DeltaOp d = next.delta().get();
      if (deltas != null) {
        deltas.add(d);
      }
      s = next.resetDelta();
    }
    return s;
  }

  @Override
  public Object mapPuts(String[] keys, String[] values) {
    LWWMap<String, String> m = LWWMap.create();
    for (int i = 0; i < keys.length; i++) {
      LWWMap<String, String> next = m.put(BASE, keys[i], values[i]);
      next.delta().get();
      m = next.resetDelta();
    }
    return m;
  }

  @Override
  public Diverged diverged(int n, int k) {
    List<ORSet.DeltaOp> leftDeltas = new ArrayList<>(k);
    List<ORSet.DeltaOp> rightDeltas = new ArrayList<>(k);
    ORSet<String> left = adds(adds(ORSet.create(), BASE, Workload.elements(n - k), null), LEFT,
        Workload.own("l", k), leftDeltas);
    ORSet<String> right = adds(adds(ORSet.create(), BASE, Workload.elements(n - k), null), RIGHT,
        Workload.own("r", k), rightDeltas);
    return new Diverged() {
      @Override
      public Object fullMerge() {
        return left.merge(right);
      }

      @Override
      public Object[] catchUp() {
        ORSet<String> l = left;
        for (ORSet.DeltaOp d : rightDeltas) {
          l = l.mergeDelta(d);
        }
        ORSet<String> r = right;
        for (ORSet.DeltaOp d : leftDeltas) {
          r = r.mergeDelta(d);
        }
        return new Object[] {l, r};
      }
    };
  }

  @Override
  public long size(Object state) {
    return state instanceof ORSet<?> s ? s.size() : ((LWWMap<?, ?>) state).size();
  }

  @Override
  @SuppressWarnings("unchecked")
  public long setAddDeltaBytes(int n) {
    ORSet<String> s = (ORSet<String>) setAdds(Workload.elements(n));
    return bytes(s.add(BASE, "e" + n).delta().get());
  }

  @Override
  @SuppressWarnings("unchecked")
  public long mapUpdateDeltaBytes(int n) {
    LWWMap<String, String> m =
        (LWWMap<String, String>) mapPuts(Workload.keys(n), Workload.values(n));
    return bytes(m.put(BASE, "k" + (n / 2), "w" + (n / 2)).delta().get());
  }

  @Override
  public long setStateBytes(int n) {
    return bytes(setAdds(Workload.elements(n)));
  }

  @Override
  public long mapStateBytes(int n) {
    return bytes(mapPuts(Workload.keys(n), Workload.values(n)));
  }

  private long bytes(Object value) {
    if (serializer == null) {
      system = ActorSystem.create("Sys", ConfigFactory.parseString(
          "pekko.actor.provider = local\n"
              + "pekko.loglevel = WARNING\n"
              + "pekko.stdout-loglevel = WARNING\n"
              + "pekko.log-dead-letters = off\n")
          .withFallback(ConfigFactory.load()));
      serializer = new ReplicatedDataSerializer((ExtendedActorSystem) system);
    }
    return serializer.toBinary(value).length;
  }

  @Override
  public void close() {
    if (system != null) {
      system.terminate();
      try {
        Await.ready(system.whenTerminated(), Duration.create(30, TimeUnit.SECONDS));
      } catch (Exception e) {
        throw new IllegalStateException("actor system did not stop", e);
      }
      system = null;
      serializer = null;
    }
  }
}
