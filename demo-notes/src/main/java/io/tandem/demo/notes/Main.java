package io.tandem.demo.notes;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * Entry point of the demo. {@code --demo} runs phone, tablet and PC in one process. Until the
 * replication engine exists, that is {@link OfflineNoteExample}: three devices edit one note
 * while apart and converge when they exchange deltas.
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  static int run(String[] args, PrintStream out) {
    if (args.length == 1 && args[0].equals("--demo")) {
      OfflineNoteExample.run(out);
      return 0;
    }
    out.println("usage: tandem --demo");
    out.println("  runs phone, tablet and PC in one process (got " + Arrays.toString(args) + ")");
    return 2;
  }
}
