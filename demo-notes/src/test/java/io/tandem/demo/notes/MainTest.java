package io.tandem.demo.notes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MainTest {

  @Test
  void theWebUiBindsToLoopbackUnlessToldOtherwise() {
    Main.Options o = Main.Options.parse(new String[] {"--demo"});
    assertThat(o.mode()).isEqualTo("demo");
    assertThat(o.host()).isEqualTo("127.0.0.1");
    assertThat(Main.Options.parse(new String[] {"--demo", "--host", "0.0.0.0"}).host())
        .isEqualTo("0.0.0.0");
  }

  @Test
  void oneDeviceTakesItsNameDataPortAndPeers() {
    Main.Options o = Main.Options.parse(new String[] {"--device", "phone", "--data", "/tmp/p",
        "--port", "8181", "--peer", "10.0.0.2:7000", "--peer", "10.0.0.3:7000"});
    assertThat(o.device()).isEqualTo("phone");
    assertThat(o.data()).isEqualTo(Path.of("/tmp/p"));
    assertThat(o.port()).isEqualTo(8181);
    assertThat(o.peers()).containsExactly("10.0.0.2:7000", "10.0.0.3:7000");
  }

  @Test
  void badArgumentsPrintUsageAndExitWithTwo() throws Exception {
    assertThatThrownBy(() -> Main.Options.parse(new String[] {"--port", "x", "--demo"}))
        .hasMessageContaining("--port needs a number");
    assertThatThrownBy(() -> Main.Options.parse(new String[] {"--device"}))
        .hasMessageContaining("--device needs a value");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    assertThat(Main.run(new String[] {"--port", "99999", "--demo"}, out)).isEqualTo(2);
    assertThat(Main.run(new String[] {"--device", "pc"}, out)).isEqualTo(2);
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("--port needs 0..65535", "--device needs --data DIR", "usage: tandem --demo");
  }
}
