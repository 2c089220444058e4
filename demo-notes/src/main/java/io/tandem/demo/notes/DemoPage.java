package io.tandem.demo.notes;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.List;

/**
 * The demo's one page: the devices side by side, each pane a frame of that device's own page,
 * served by and talking to that device's own server.
 */
final class DemoPage implements AutoCloseable {

  private final HttpServer server;
  private final String host;

  private DemoPage(HttpServer server, String host) {
    this.server = server;
    this.host = host;
  }

  static DemoPage start(Vertx vertx, String host, int port, List<Device> devices)
      throws Exception {
    JsonArray panes = new JsonArray();
    for (Device d : devices) {
      panes.add(new JsonObject().put("name", d.name()).put("url", d.url()));
    }
    Router r = Router.router(vertx);
    r.get("/devices.json").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/json; charset=utf-8").end(panes.encode()));
    r.route("/*").handler(StaticHandler.create("web/demo").setCachingEnabled(false));
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(host)
            .setPort(port))
        .requestHandler(r).listen().toCompletionStage().toCompletableFuture().get();
    return new DemoPage(server, host);
  }

  int port() {
    return server.actualPort();
  }

  String url() {
    return "http://" + (host.equals("0.0.0.0") ? "127.0.0.1" : host) + ":" + port() + "/";
  }

  @Override
  public void close() {
    try {
      server.close().toCompletionStage().toCompletableFuture().get();
    } catch (Exception e) {
      Thread.currentThread().interrupt();
    }
  }
}
