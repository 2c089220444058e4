package io.tandem.demo.notes;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * Entry point of the demo. {@code --demo} runs phone, tablet and PC in one process. Until the
 * web app exists, that is {@link ThreeDevices}: three replicas on an in-process network telling
 * the stories of our documents.
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out));
  }

  static int run(String[] args, PrintStream out) throws Exception {
    if (args.length == 1 && args[0].equals("--demo")) {
      try (ThreeDevices devices = new ThreeDevices(out)) {
        return devices.run() ? 0 : 1;
      }
    }
    out.println("usage: tandem --demo");
    out.println("  runs phone, tablet and PC in one process (got " + Arrays.toString(args) + ")");
    return 2;
  }
}
