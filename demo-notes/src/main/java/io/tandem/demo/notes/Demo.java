package io.tandem.demo.notes;

import io.tandem.replication.memory.InMemoryNetwork;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Phone, tablet and PC in one process, each with its own H2 file under {@code data}, its own
 * transport and its own web server, and the one page that shows them side by side.
 */
final class Demo implements AutoCloseable {

  static final List<String> DEVICES = List.of("phone", "tablet", "PC");

  private final Vertx vertx;
  private final InMemoryNetwork network;
  private final List<Device> devices;
  private final DemoPage page;

  private Demo(Vertx vertx, InMemoryNetwork network, List<Device> devices, DemoPage page) {
    this.vertx = vertx;
    this.network = network;
    this.devices = devices;
    this.page = page;
  }

  /**
   * @param port the page's port (0 for any free one); devices take free ports
   */
  static Demo start(Path data, String host, int port) throws Exception {
    Vertx vertx = Vertx.vertx();
    InMemoryNetwork network = InMemoryNetwork.create();
    InMemoryLinks links = new InMemoryLinks(network, DEVICES);
    List<Device> devices = new ArrayList<>();
    try {
      for (String name : DEVICES) {
        devices.add(Device.start(vertx, new Device.Config(name, data.resolve(name.toLowerCase()),
            network.endpoint(name), links.of(name), host, 0)));
      }
      links.connectAll();
      DemoPage page = DemoPage.start(vertx, host, port, devices);
      return new Demo(vertx, network, devices, page);
    } catch (Exception | Error e) {
      devices.forEach(Device::close);
      network.close();
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
    network.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }
}
