package io.tandem.demo.notes;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.OrSet;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OfflineNoteExampleTest {

  @Test
  void threeDevicesEditingApartEndWithTheSameNote() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    OfflineNoteExample.Outcome outcome =
        OfflineNoteExample.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    var phone = outcome.notes().get(0);
    assertThat(outcome.notes()).allSatisfy(n -> assertThat(n).isEqualTo(phone));
    // The later retitle wins; both devices' tags survive.
    assertThat(phone.get("title", LwwRegister.<String>empty()).value())
        .isEqualTo("Groceries for Sunday");
    assertThat(phone.get("tags", OrSet.<String>empty()).elements())
        .containsExactlyInAnyOrder("home", "food");
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("all three devices hold the same note");
  }

  @Test
  void theDemoFlagRunsTheExampleAndAnythingElsePrintsUsage() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    assertThat(Main.run(new String[] {"--demo"}, out)).isZero();
    assertThat(Main.run(new String[] {"--nope"}, out)).isEqualTo(2);
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("usage: tandem --demo");
  }
}
