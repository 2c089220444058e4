package io.tandem.demo.notes;

import io.tandem.replication.memory.InMemoryNetwork;
import io.vertx.core.Vertx;
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
 * tandem --device NAME --data DIR [--port P] [--host ADDR] [--peer HOST:PORT ...]
 * tandem --story
 * </pre>
 * The web UI binds to 127.0.0.1 unless {@code --host} says otherwise.
 */
public final class Main {

  static final String LOCAL = "127.0.0.1";
  static final int DEMO_PORT = 8080;

  private Main() {}

  public static void main(String[] args) throws Exception {
    int code = run(args, System.out);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Parsed command line. */
  record Options(String mode, String device, Path data, String host, int port,
      List<String> peers) {

    static Options parse(String[] args) {
      String mode = null;
      String device = null;
      Path data = null;
      String host = LOCAL;
      int port = -1;
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
            try {
              port = Integer.parseInt(value(args, ++i, a));
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("--port needs a number");
            }
            if (port < 0 || port > 65535) {
              throw new IllegalArgumentException("--port needs 0..65535");
            }
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
      return new Options(mode, device, data, host, port, List.copyOf(peers));
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
    if (!o.peers().isEmpty()) {
      out.println("--peer needs the TCP transport (vertx-transport), which this build lacks");
      return 2;
    }
    Vertx vertx = Vertx.vertx();
    InMemoryNetwork alone = InMemoryNetwork.create();
    Device d = Device.start(vertx, new Device.Config(o.device(), o.data(),
        alone.endpoint(o.device()), Connectivity.fixed(), o.host(),
        o.port() < 0 ? 8080 : o.port()));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      d.close();
      vertx.close();
    }));
    out.println("Tandem device " + o.device() + ", data in " + o.data());
    bindNote(o, out);
    out.println("open " + d.url() + "   (Ctrl-C stops)");
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
    out.println("       tandem --device NAME --data DIR [--port P] [--host ADDR]"
        + " [--peer HOST:PORT ...]");
    out.println("       tandem --story   (the three-device story in the console)");
  }
}
