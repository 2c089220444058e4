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
 * Part 1: two sets of {@code n} that diverged by {@code k + k} elements, brought together by a
 * full-state merge, or by each applying the other's {@code k} deltas one by one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class MergeBench {

  @Param({"tandem", "pekko", "automerge"})
  public String peer;

  @Param({"100000"})
  public int n;

  @Param({"5000"})
  public int k;

  private CorePeer p;
  private Diverged d;
  private Object[] last;

  @Setup(Level.Trial)
  public void open() {
    p = CorePeer.named(peer);
    d = p.diverged(n, k);
    // Settle the heap before timing, as a long-lived replica's state is. Built by 2n adds in a
    // tight loop, a state lies scattered among the garbage of those adds until a collection
    // moves it; whether one happened during the warmups decided whether a merge walked
    // compacted or scattered memory (Tandem 6-10 ms against 22-30 ms, same code, same JVM, in
    // two runs). A peer whose merge allocates more met that collection sooner, so the bias was
    // against the peer that allocates least. Every peer's state is settled the same way here;
    // Automerge keeps its state in native memory, which no collection moves.
    System.gc();
  }

  @Setup(Level.Invocation)
  public void reset() {
    d.reset();
  }

  @Benchmark
  public Object fullMerge() {
    last = new Object[] {d.fullMerge()};
    return last;
  }

  @Benchmark
  public Object catchUp() {
    return last = d.catchUp();
  }

  @TearDown(Level.Invocation)
  public void check() {
    for (Object s : last) {
      if (p.size(s) != n + k) {
        throw new IllegalStateException(peer + " joined to " + p.size(s) + ", not " + (n + k));
      }
    }
  }

  @TearDown(Level.Trial)
  public void close() {
    d.close();
    p.close();
  }
}
