package io.tandem.demo.notes;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Real HTTP to a device's API on 127.0.0.1, as a page or a script would call it. */
final class Http {

  /** A response: its status and its body as parsed JSON (null when empty). */
  record Reply(int status, String text) {
    JsonObject json() {
      return new JsonObject(text);
    }

    JsonArray array() {
      return new JsonArray(text);
    }

    String error() {
      return json().getString("error");
    }
  }

  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private final String base;

  Http(String base) {
    this.base = base.endsWith("/") ? base : base + "/";
  }

  Reply get(String path) {
    return send("GET", path, null);
  }

  Reply post(String path, Object body) {
    return send("POST", path, body);
  }

  Reply patch(String path, Object body) {
    return send("PATCH", path, body);
  }

  Reply put(String path, Object body) {
    return send("PUT", path, body);
  }

  Reply delete(String path) {
    return send("DELETE", path, null);
  }

  /** Sends {@code body} as it is if it is a String (for malformed input), else as JSON. */
  Reply send(String method, String path, Object body) {
    String text = body == null ? null : body instanceof String s ? s : Json.encode(body);
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(10))
        .method(method, text == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(text));
    if (text != null) {
      b.header("Content-Type", "application/json");
    }
    try {
      HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(r.statusCode(), r.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(method + " " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
