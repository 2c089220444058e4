package io.tandem.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the benchmark suite and prints one markdown table per part: Tandem, peer, ratio, range.
 *
 * <pre>
 * mvn -B -ntp -q -pl bench -am package -DskipTests
 * java -jar bench/target/benchmarks.jar            # the full suite, about 12 minutes on 2 cores
 * java -jar bench/target/benchmarks.jar --smoke    # tiny sizes, seconds
 * </pre>
 * Progress goes to standard error, the tables to standard output. Single JMH benchmarks also run
 * the usual way: {@code java -cp bench/target/benchmarks.jar org.openjdk.jmh.Main AddsBench}.
 */
public final class Suite {

  private Suite() {}

  public static void main(String[] args) {
    long t0 = System.nanoTime();
    List<Table> tables = run(Settings.parse(args), System.err);
    for (Table t : tables) {
      System.out.println(t.markdown());
    }
    System.err.printf("suite took %.1f min%n", (System.nanoTime() - t0) / 60e9);
  }

  static List<Table> run(Settings s, PrintStream log) {
    List<Table> out = new ArrayList<>();
    if (s.parts().contains(1)) {
      out.add(new CorePart(s, log).run());
    }
    if (s.parts().contains(2)) {
      out.add(new ReplicationPart(s, log).run());
    }
    if (s.parts().contains(3)) {
      out.add(new ReconnectPart(s, log).run());
    }
    if (s.parts().contains(4)) {
      out.add(new MvdsPart(s, log).run());
    }
    if (s.parts().contains(5)) {
      out.add(new DurableAppendPart(s, log).run());
    }
    return out;
  }
}
