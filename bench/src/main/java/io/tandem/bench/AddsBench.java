package io.tandem.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Part 1: {@code n} set adds, or {@code n} map puts, each producing its delta that is merged into
 * the state. One invocation does all {@code n}; the suite divides by {@code n}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class AddsBench {

  @Param({"tandem", "pekko", "automerge"})
  public String peer;

  @Param({"100000"})
  public int n;

  private CorePeer p;
  private String[] elements;
  private String[] keys;
  private String[] values;
  private Object last;

  @Setup(Level.Trial)
  public void open() {
    p = CorePeer.named(peer);
    elements = Workload.elements(n);
    keys = Workload.keys(n);
    values = Workload.values(n);
  }

  @Benchmark
  public Object setAdds() {
    return last = p.setAdds(elements);
  }

  @Benchmark
  public Object mapPuts() {
    return last = p.mapPuts(keys, values);
  }

  @TearDown(Level.Invocation)
  public void release() {
    if (p.size(last) != n) {
      throw new IllegalStateException(peer + " built " + p.size(last) + " of " + n);
    }
    p.release(last);
    last = null;
  }

  @TearDown(Level.Trial)
  public void close() {
    p.close();
  }
}
