package io.tandem.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.strings;

import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** A string packed in one pass, as ASCII until a character says otherwise, reads back whole. */
class PackedScalarsTest {

  /** ASCII strings with, now and then, a wider character somewhere after an ASCII prefix. */
  private static Gen<String> mixed() {
    Gen<String> ascii = strings().ascii().ofLengthBetween(0, 200);
    Gen<String> any = strings().allPossible().ofLengthBetween(0, 3);
    return ascii.zip(any, integers().between(0, 200), (a, w, at) -> {
      int cut = Math.min(at, a.length());
      return a.substring(0, cut) + w + a.substring(cut);
    });
  }

  @Test
  void aStringPackedInOnePassTakesItsSizeAndReadsBack() {
    qt().withExamples(Examples.COUNT).forAll(mixed(), integers().between(0, 7))
        .checkAssert((s, at) -> {
          byte[] pool = new byte[at + PackedScalars.sizeBound(s)];
          int end = PackedScalars.write(s, pool, at);
          assertThat(end - at).isEqualTo(PackedScalars.size(s));
          assertThat(PackedScalars.length(pool, at)).isEqualTo(PackedScalars.size(s));
          assertThat(PackedScalars.read(pool, at)).isEqualTo(s);
          assertThat(PackedScalars.holds(pool, at, s)).isTrue();
        });
  }
}
