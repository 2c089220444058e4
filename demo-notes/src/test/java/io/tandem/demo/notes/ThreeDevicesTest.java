package io.tandem.demo.notes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ThreeDevicesTest {

  @Test
  void phoneTabletAndPcEndWithTheSameDataAndNoDraftBeforeItsContact() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ThreeDevices d = new ThreeDevices(new PrintStream(bytes, true, StandardCharsets.UTF_8))) {
      assertThat(d.run()).isTrue();
      assertThat(d.causalityBreaks).isEmpty();
      // Both retitled the note while apart; one title wins on all three.
      String title = ThreeDevices.get(d.phone, "notes", "groceries");
      assertThat(title).isIn("Groceries for Sunday", "Groceries (PC)");
      assertThat(ThreeDevices.get(d.tablet, "notes", "groceries")).isEqualTo(title);
      assertThat(ThreeDevices.get(d.pc, "notes", "groceries")).isEqualTo(title);
      assertThat(ThreeDevices.get(d.pc, "drafts", "hello-ann")).isEqualTo("ann");
    }
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("safe on the PC and on the phone ✓", "all three devices hold the same data");
  }

  @Test
  void theStoryFlagRunsTheStoriesAndAnythingElsePrintsUsage() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    assertThat(Main.run(new String[] {"--story"}, out)).isZero();
    assertThat(Main.run(new String[] {"--nope"}, out)).isEqualTo(2);
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("usage: tandem --demo");
  }
}
