package io.tandem.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs every part of the suite at smoke settings (1,000 elements, one iteration, benchmarks in
 * this JVM) so the benchmarks cannot rot. It asserts only that each measurement produced a row of
 * finite numbers: figures are never asserted.
 */
class SuiteSmokeTest {

  /**
   * JMH refuses to start while another JMH run on the machine holds its lock (/tmp/jmh.lock), as
   * a benchmark measured beside another would be noise; smoke figures are never read, so a
   * benchmark run elsewhere on the machine must not fail the build.
   */
  @BeforeAll
  static void smokeRunsBesideOtherBenchmarks() {
    System.setProperty("jmh.ignoreLock", "true");
  }

  @Test
  void everyPartProducesRowsOfFiniteNumbers() {
    List<Table> tables = Suite.run(Settings.smoke(), new PrintStream(System.err, true));

    assertThat(tables).extracting(t -> t.title)
        .anyMatch(title -> title.startsWith("Part 1"))
        .anyMatch(title -> title.startsWith("Part 2"))
        .anyMatch(title -> title.startsWith("Part 3"))
        .anyMatch(title -> title.startsWith("Part 4"))
        .anyMatch(title -> title.startsWith("Part 5"));
    for (Table t : tables) {
      assertThat(t.rows).as(t.title).isNotEmpty();
      for (Table.Row r : t.rows) {
        assertThat(r.figures()).as(t.title + " " + r.cells()).isNotEmpty();
        assertThat(Arrays.stream(r.figures()).allMatch(Double::isFinite))
            .as(t.title + " " + r.cells() + " has finite figures").isTrue();
      }
      assertThat(t.markdown()).contains("| ---");
    }
  }

  @Test
  void bytesAloneGivesPartOnesByteRowsForBothPeers() {
    List<Table> tables = Suite.run(Settings.parse("--smoke", "--bytes"),
        new PrintStream(System.err, true));

    assertThat(tables).singleElement().satisfies(t -> {
      assertThat(t.title).startsWith("Part 1");
      assertThat(t.rows).hasSize(8).allSatisfy(r -> {
        assertThat(r.cells().get(0)).as("measure").contains("(B)");
        assertThat(Arrays.stream(r.figures()).allMatch(x -> Double.isFinite(x) && x > 0))
            .as(r.cells() + " has positive figures").isTrue();
      });
    });
  }

  @Test
  void everyPeerJoinsDivergedReplicasToTheSameSize() {
    for (String name : CorePeer.NAMES) {
      try (CorePeer p = CorePeer.named(name)) {
        Diverged d = p.diverged(1_000, 50);
        d.reset();
        assertThat(p.size(d.fullMerge())).as(name + " full merge").isEqualTo(1_050);
        d.reset();
        for (Object s : d.catchUp()) {
          assertThat(p.size(s)).as(name + " catch-up").isEqualTo(1_050);
        }
        d.close();
      }
    }
  }
}
