package io.tandem.transport.vertx;

import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.Objects;

/** Plain TCP for loopback tests: no encryption, and the remote host stands for the device. */
record PlainTcp(String localDevice) implements ChannelSecurity {

  PlainTcp {
    Objects.requireNonNull(localDevice, "localDevice");
  }

  @Override
  public NetServerOptions configure(NetServerOptions options) {
    return options;
  }

  @Override
  public NetClientOptions configure(NetClientOptions options) {
    return options;
  }

  @Override
  public String authenticate(NetSocket socket) {
    return "tcp:" + socket.remoteAddress().hostAddress();
  }
}
