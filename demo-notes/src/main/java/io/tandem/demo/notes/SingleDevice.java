package io.tandem.demo.notes;

import io.tandem.transport.vertx.PeerAddress;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One real device: its store and keys under one directory, TLS sync on a TCP port that paired
 * devices dial (every interface: only paired keys get through), the peers it dials, and its
 * web page on {@code webHost:webPort}.
 */
final class SingleDevice implements AutoCloseable {

  private final Vertx vertx;
  private final Device device;
  private final TcpLink tcp;

  private SingleDevice(Vertx vertx, Device device, TcpLink tcp) {
    this.vertx = vertx;
    this.device = device;
    this.tcp = tcp;
  }

  /**
   * @param syncPort the port paired devices dial; 0 picks a free one
   * @param peers {@code HOST:PORT} of devices to dial
   * @throws IllegalArgumentException for a malformed peer address
   */
  static SingleDevice start(String name, Path data, String syncHost, int syncPort,
      List<String> peers, String webHost, int webPort) throws Exception {
    List<PeerAddress> addresses = new ArrayList<>();
    for (String p : peers) {
      addresses.add(PeerAddress.parse(p));
    }
    Vertx vertx = Vertx.vertx();
    try {
      TcpLink tcp = TcpLink.open(data.resolve("identity"), name);
      OfflineSwitch link = tcp.transport(vertx, syncHost, syncPort, addresses);
      Device device = Device.start(vertx, new Device.Config(name, data.resolve("store"), link,
          link, tcp, webHost, webPort));
      return new SingleDevice(vertx, device, tcp);
    } catch (Exception | Error e) {
      vertx.close();
      throw e;
    }
  }

  Device device() {
    return device;
  }

  /** The port paired devices dial. */
  int syncPort() {
    return tcp.port();
  }

  String fingerprint() {
    return tcp.identity().fingerprint().hex();
  }

  @Override
  public void close() {
    device.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }
}
