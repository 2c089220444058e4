package io.tandem.demo.notes;

import io.tandem.transport.vertx.PeerAddress;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Phone, tablet and PC in one process, each with its own H2 file under {@code data}, its own
 * TLS transport on 127.0.0.1 (the three paired with each other at start), its own web server,
 * and the one page that shows them side by side.
 */
final class Demo implements AutoCloseable {

  static final List<String> DEVICES = List.of("phone", "tablet", "PC");

  private final Vertx vertx;
  private final List<Device> devices;
  private final DemoPage page;

  private Demo(Vertx vertx, List<Device> devices, DemoPage page) {
    this.vertx = vertx;
    this.devices = devices;
    this.page = page;
  }

  /**
   * @param port the page's port (0 for any free one); devices take free ports
   */
  static Demo start(Path data, String host, int port) throws Exception {
    Vertx vertx = Vertx.vertx();
    List<Device> devices = new ArrayList<>();
    try {
      List<TcpLink> links = new ArrayList<>();
      for (String name : DEVICES) {
        links.add(TcpLink.open(data.resolve(name.toLowerCase()).resolve("identity"), name));
      }
      // Paired automatically: each device trusts the other two's keys, as if the person had
      // typed the short code on each pair.
      for (TcpLink a : links) {
        for (TcpLink b : links) {
          if (a != b) {
            a.pair(b);
          }
        }
      }
      // Each device dials the ones started before it; one connection per pair carries both ways.
      List<PeerAddress> started = new ArrayList<>();
      for (int i = 0; i < DEVICES.size(); i++) {
        String name = DEVICES.get(i);
        TcpLink tcp = links.get(i);
        OfflineSwitch link = tcp.transport(vertx, "127.0.0.1", 0, started);
        devices.add(Device.start(vertx, new Device.Config(name,
            data.resolve(name.toLowerCase()).resolve("store"), link, link, tcp, host, 0)));
        started.add(new PeerAddress("127.0.0.1", links.get(i).port()));
      }
      DemoPage page = DemoPage.start(vertx, host, port, devices);
      return new Demo(vertx, devices, page);
    } catch (Exception | Error e) {
      devices.forEach(Device::close);
      vertx.close();
      throw e;
    }
  }

  List<Device> devices() {
    return devices;
  }

  Device device(String name) {
    for (Device d : devices) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    throw new IllegalArgumentException("no device " + name);
  }

  String url() {
    return page.url();
  }

  @Override
  public void close() {
    page.close();
    devices.forEach(Device::close);
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }
}
