package io.tandem.demo.notes;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Entry point of the demo.
 * <pre>
 * tandem --demo [--data DIR] [--port P] [--host ADDR]
 * tandem --device NAME --data DIR [--port P] [--peer HOST:PORT ...] [--web-port W] [--host ADDR]
 * tandem --story
 * </pre>
 * The web UI binds to 127.0.0.1 unless {@code --host} says otherwise.
 */
public final class Main {

  static final String LOCAL = "127.0.0.1";
  static final int DEMO_PORT = 8080;
  static final int SYNC_PORT = 47470;

  private Main() {}

  public static void main(String[] args) throws Exception {
    int code = run(args, System.out);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Parsed command line. */
  record Options(String mode, String device, Path data, String host, int port, int webPort,
      List<String> peers) {

    static Options parse(String[] args) {
      String mode = null;
      String device = null;
      Path data = null;
      String host = LOCAL;
      int port = -1;
      int webPort = -1;
      List<String> peers = new ArrayList<>();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--demo":
          case "--story":
            mode = a.substring(2);
            break;
          case "--device":
            mode = "device";
            device = value(args, ++i, a);
            break;
          case "--data":
            data = Path.of(value(args, ++i, a));
            break;
          case "--host":
            host = value(args, ++i, a);
            break;
          case "--port":
            port = port(value(args, ++i, a), a);
            break;
          case "--web-port":
            webPort = port(value(args, ++i, a), a);
            break;
          case "--peer":
            peers.add(value(args, ++i, a));
            break;
          default:
            throw new IllegalArgumentException("unknown argument: " + a);
        }
      }
      if (mode == null) {
        throw new IllegalArgumentException("say --demo, --device NAME or --story");
      }
      return new Options(mode, device, data, host, port, webPort, List.copyOf(peers));
    }

    private static int port(String text, String flag) {
      int p;
      try {
        p = Integer.parseInt(text);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(flag + " needs a number");
      }
      if (p < 0 || p > 65535) {
        throw new IllegalArgumentException(flag + " needs 0..65535");
      }
      return p;
    }

    private static String value(String[] args, int i, String flag) {
      if (i >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      return args[i];
    }
  }

  static int run(String[] args, PrintStream out) throws Exception {
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      out.println(e.getMessage());
      usage(out);
      return 2;
    }
    switch (o.mode()) {
      case "story":
        try (ThreeDevices devices = new ThreeDevices(out)) {
          return devices.run() ? 0 : 1;
        }
      case "demo":
        return demo(o, out);
      default:
        return device(o, out);
    }
  }

  private static int demo(Options o, PrintStream out) throws Exception {
    Path data = o.data() != null ? o.data() : Files.createTempDirectory("tandem-demo-");
    Demo demo = startDemo(o, data, out);
    Runtime.getRuntime().addShutdownHook(new Thread(demo::close));
    out.println("Tandem demo: phone, tablet and PC, each with its own H2 file under " + data);
    for (Device d : demo.devices()) {
      out.printf("  %-6s %s%n", d.name(), d.url());
    }
    bindNote(o, out);
    out.println("open " + demo.url() + "   (Ctrl-C stops)");
    new CountDownLatch(1).await();
    return 0;
  }

  /** On the port asked for; without one, on 8080 if it is free, else on any free port. */
  private static Demo startDemo(Options o, Path data, PrintStream out) throws Exception {
    try {
      return Demo.start(data, o.host(), o.port() < 0 ? DEMO_PORT : o.port());
    } catch (java.util.concurrent.ExecutionException e) {
      if (o.port() >= 0 || !(e.getCause() instanceof java.net.BindException)) {
        throw e;
      }
      out.println("port " + DEMO_PORT + " is taken; the page takes a free one");
      return Demo.start(data, o.host(), 0);
    }
  }

  private static int device(Options o, PrintStream out) throws Exception {
    if (o.data() == null) {
      out.println("--device needs --data DIR (one directory per device)");
      return 2;
    }
    SingleDevice d;
    try {
      d = SingleDevice.start(o.device(), o.data(), "0.0.0.0",
          o.port() < 0 ? SYNC_PORT : o.port(), o.peers(), o.host(),
          o.webPort() < 0 ? DEMO_PORT : o.webPort());
    } catch (IllegalArgumentException e) {
      out.println(e.getMessage());
      return 2;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(d::close));
    out.println("Tandem device " + o.device() + ", data in " + o.data());
    out.println("syncs with paired devices on TCP port " + d.syncPort() + " (TLS 1.3)"
        + (o.peers().isEmpty() ? "" : ", dialing " + String.join(", ", o.peers())));
    out.println("this device's key: " + d.fingerprint()
        + " (pair from the page: \"Pair a new device\" here, \"Join\" there)");
    bindNote(o, out);
    out.println("open " + d.device().url() + "   (Ctrl-C stops)");
    new CountDownLatch(1).await();
    return 0;
  }

  private static void bindNote(Options o, PrintStream out) {
    out.println(o.host().equals(LOCAL)
        ? "the web UI listens on 127.0.0.1 only (--host 0.0.0.0 opens it to your network)"
        : "the web UI listens on " + o.host() + ": anyone who reaches it can read your notes");
  }

  private static void usage(PrintStream out) {
    out.println("usage: tandem --demo [--data DIR] [--port P] [--host ADDR]");
    out.println("       tandem --device NAME --data DIR [--port P] [--peer HOST:PORT ...]"
        + " [--web-port W] [--host ADDR]");
    out.println("         --port: where paired devices dial this one (default " + SYNC_PORT
        + "); --web-port: its page");
    out.println("       tandem --story   (the three-device story in the console)");
  }
}
