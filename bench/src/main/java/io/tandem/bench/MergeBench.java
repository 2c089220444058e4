package io.tandem.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
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
import org.openjdk.jmh.infra.BenchmarkParams;

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
  private static Object[] garbage;
  private static final long WARM_NANOS = 3_000_000_000L;

  @Setup(Level.Trial)
  public void open(BenchmarkParams params) {
    p = CorePeer.named(peer);
    d = p.diverged(n, k);
    if (params.getWarmup().getCount() > 0) {
      warm(params.getBenchmark().endsWith(".catchUp"));
    }
    settle();
  }

  /**
   * Runs the timed operation, untimed, for at least {@link #WARM_NANOS}: the same time for every
   * peer, where JMH's warmups are a count. Ten warmup invocations left the JIT unsettled for a
   * short operation: Tandem's full merge fell from 30-80 ms to 6-7 ms only after about 20
   * invocations, Pekko's from 80-150 ms to 41-43 ms after about 30, while Automerge's (native
   * code) showed no trend. Skipped where JMH was told not to warm up (Pekko's minute-long
   * catch-up, the smoke settings).
   */
  private void warm(boolean catchUp) {
    long start = System.nanoTime();
    do {
      d.reset();
      Object r = catchUp ? d.catchUp() : d.fullMerge();
      if (r == null) {
        throw new IllegalStateException(peer + " returned no state");
      }
    } while (System.nanoTime() - start < WARM_NANOS);
  }

  /**
   * Lets young collections move the replicas before timing, as a running app's collector moves
   * its live state. Built by 2n adds in a tight loop, a state lies where those adds left it,
   * scattered among their garbage; a copying collection lays it out again in the order it is
   * reached. Whether one came during the warmups decided 6-9 ms against 22-81 ms for the same
   * Tandem merge in one JVM: a peer whose merge allocates much (Pekko's, 59 MB) met collections
   * from its first warmup on, one that allocates little (Tandem's, 0.5 MB) often never did, so
   * the bias was against the peer that allocates least. A full collection ({@code System.gc()})
   * is no remedy: it slides objects together in their allocation order, which a G1 app's state
   * seldom sees. Automerge's state is native memory, which no collection moves. With a 2 GB heap
   * the first collections come during the build: at n = 100,000 the first one's survivors
   * (13.6 MB) overflow the survivor target, the tenuring threshold falls to 1, and the second
   * promotes most of Tandem's replicas to the old generation, where these two no longer move
   * them; they move the 6-7 MB still in survivor regions (-Xlog:gc+age, branch h-core4).
   */
  static void settle() {
    long target = collections() + 2;
    // Short-lived garbage until two collections have run (a running app has had many; bounded
    // at 16 GB in case none ever does), kept in a static so the compiler cannot drop it.
    garbage = new Object[4096];
    for (int round = 0; round < 1_000 && collections() < target; round++) {
      for (int i = 0; i < garbage.length; i++) {
        garbage[i] = new long[4096 / Long.BYTES];
      }
    }
    garbage = null;
  }

  private static long collections() {
    long n = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += Math.max(0, gc.getCollectionCount());
    }
    return n;
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
