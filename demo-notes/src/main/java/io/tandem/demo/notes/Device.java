package io.tandem.demo.notes;

import io.tandem.replication.Replica;
import io.tandem.replication.spi.Transport;
import io.tandem.storage.h2.H2ReplicaStore;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One device: a replica on its own H2 file, syncing over the transport it is given, and the web
 * server of its page and API. The transport is the only thing that differs between the demo's
 * in-process network and real devices on TCP.
 */
final class Device implements AutoCloseable {

  /**
   * @param name what the person calls the device ("phone")
   * @param data the directory of its H2 file
   * @param host the address the web server binds to
   * @param port the web server's port; 0 picks a free one
   */
  record Config(String name, Path data, Transport transport, Connectivity links,
      Pairing pairing, String host, int port) {
    Config {
      Objects.requireNonNull(pairing, "pairing");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(data, "data");
      Objects.requireNonNull(transport, "transport");
      Objects.requireNonNull(links, "links");
      Objects.requireNonNull(host, "host");
    }
  }

  private final Config config;
  private final Replica replica;
  private final NotesModel model;
  private final LiveEvents events;
  private final HttpServer server;

  private Device(Config config, Replica replica, NotesModel model, LiveEvents events,
      HttpServer server) {
    this.config = config;
    this.replica = replica;
    this.model = model;
    this.events = events;
    this.server = server;
  }

  /** Opens the store, starts syncing and serving; blocks until the server listens. */
  static Device start(Vertx vertx, Config config) throws Exception {
    Replica replica = Replica.builder().store(H2ReplicaStore.open(config.data()))
        .transport(config.transport()).build();
    try {
      NotesModel model = new NotesModel(replica, config.name());
      LiveEvents events = new LiveEvents(vertx);
      replica.addListener(events);
      Presence presence = new Presence(replica, config.name(), System::currentTimeMillis,
          events::soon);
      replica.addEphemeralListener(presence);
      HttpServer server = vertx.createHttpServer(new HttpServerOptions()
              .setHost(config.host()).setPort(config.port()))
          .requestHandler(DeviceApi.router(vertx, model, config, events, presence))
          .listen().toCompletionStage().toCompletableFuture().get();
      return new Device(config, replica, model, events, server);
    } catch (Exception | Error e) {
      replica.close();
      throw e;
    }
  }

  String name() {
    return config.name();
  }

  Replica replica() {
    return replica;
  }

  NotesModel model() {
    return model;
  }

  int port() {
    return server.actualPort();
  }

  /** The page's address, as a browser on this machine reaches it. */
  String url() {
    String host = config.host().equals("0.0.0.0") ? "127.0.0.1" : config.host();
    return "http://" + host + ":" + port() + "/";
  }

  @Override
  public void close() {
    events.close();
    try {
      server.close().toCompletionStage().toCompletableFuture().get();
    } catch (Exception e) {
      Thread.currentThread().interrupt();
    } finally {
      replica.close();
    }
  }
}
