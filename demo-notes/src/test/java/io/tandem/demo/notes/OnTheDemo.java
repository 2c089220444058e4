package io.tandem.demo.notes;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Tests that run against a fresh three-device demo per class, each device on its own H2 file. */
abstract class OnTheDemo {

  @TempDir
  static Path data;
  static Demo demo;
  static Http phone;
  static Http tablet;
  static Http pc;

  @BeforeAll
  static void startDemo() throws Exception {
    demo = Demo.start(data, "127.0.0.1", 0);
    phone = new Http(demo.device("phone").url() + "api");
    tablet = new Http(demo.device("tablet").url() + "api");
    pc = new Http(demo.device("PC").url() + "api");
  }

  @AfterAll
  static void stopDemo() {
    demo.close();
  }
}
