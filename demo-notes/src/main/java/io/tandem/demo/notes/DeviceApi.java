package io.tandem.demo.notes;

import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.lang.System.Logger.Level;
import java.util.function.Function;

/**
 * One device's web app: its page, and a JSON API for notes, contacts and messages, its sync
 * status, its offline switch, "typing…" between devices and a stream of live events. Handlers that touch the replica run
 * on a worker, one at a time (the store's commit blocks). Every refusal is a 4xx with
 * {@code {"error": "...", "status": n}} and changes nothing.
 */
final class DeviceApi {

  /** Larger request bodies are refused with 413 before they are parsed. */
  static final int BODY_LIMIT = 64 * 1024;

  private static final System.Logger LOG = System.getLogger(DeviceApi.class.getName());

  private DeviceApi() {}

  static Router router(Vertx vertx, NotesModel model, Device.Config device, LiveEvents events,
      Presence presence) {
    Connectivity links = device.links();
    Pairing pairing = device.pairing();
    Router r = Router.router(vertx);
    r.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
    r.get("/api/events").handler(events::subscribe);

    r.get("/api/state").blockingHandler(ctx -> ok(ctx, new JsonObject()
        .put("status", SyncStatus.of(model, links))
        .put("notes", model.noteList())
        .put("contacts", model.contactList())
        .put("messages", model.messageList())
        .put("typing", presence.now())));
    // Ephemeral: reaches the devices connected now, and is stored nowhere.
    r.post("/api/typing").blockingHandler(ctx -> ok(ctx, new JsonObject().put("reached",
        presence.typing(text(body(ctx), "note", "'note' must be a note's id, a string")))));
    r.get("/api/status").blockingHandler(ctx -> ok(ctx, SyncStatus.of(model, links)));
    r.put("/api/network").blockingHandler(ctx -> {
      Object on = body(ctx).getValue("online");
      if (!(on instanceof Boolean b)) {
        throw ApiException.badRequest("'online' must be true or false");
      }
      links.setOnline(b);
      ok(ctx, SyncStatus.of(model, links));
    });

    r.get("/api/pairing").blockingHandler(ctx -> ok(ctx, pairing.describe()));
    r.post("/api/pairing").blockingHandler(ctx -> {
      JsonObject in = body(ctx);
      Object fingerprint = in.getValue("fingerprint");
      Object name = in.getValue("name", "");
      if (!(fingerprint instanceof String f) || !(name instanceof String n)) {
        throw ApiException.badRequest("pairing needs 'fingerprint' and 'name', both strings");
      }
      pairing.pair(f, n);
      ok(ctx, pairing.describe());
    });

    // Not on a worker: the exchange pins on a worker of this context, which must stay free.
    r.post("/api/pairing/offer").handler(ctx -> pairing.code().offer()
        .onSuccess(v -> ok(ctx, pairing.describe())).onFailure(ctx::fail));
    r.post("/api/pairing/join").handler(ctx -> {
      pairing.code().join(text(body(ctx), "address", "join needs 'address', host:port"));
      ok(ctx, pairing.describe());
    });
    r.post("/api/pairing/code").handler(ctx -> pairing.code()
        .enterCode(text(body(ctx), "code", "'code' must be the 6 digits, a string"))
        .onSuccess(v -> ok(ctx, pairing.describe())).onFailure(ctx::fail));

    documents(r, "notes", model::createNote, model::note, model::patchNote, model::deleteNote);
    r.get("/api/notes").blockingHandler(ctx -> ok(ctx, model.noteList()));
    documents(r, "contacts", model::createContact,
        id -> model.contacts.toJson(id, model.contacts.get(id)), model::patchContact,
        model::deleteContact);
    r.get("/api/contacts").blockingHandler(ctx -> ok(ctx, model.contactList()));
    r.get("/api/messages").blockingHandler(ctx -> ok(ctx, model.messageList()));
    r.post("/api/messages").blockingHandler(ctx ->
        created(ctx, model.message(model.createMessage(body(ctx)))));
    r.get("/api/messages/:id").blockingHandler(ctx -> ok(ctx, model.message(id(ctx))));
    r.patch("/api/messages/:id").blockingHandler(ctx -> {
      model.patchMessage(id(ctx), body(ctx));
      ok(ctx, model.message(id(ctx)));
    });
    r.post("/api/messages/:id/send").blockingHandler(ctx -> {
      model.sendMessage(id(ctx));
      ok(ctx, model.message(id(ctx)));
    });

    r.route("/api/*").handler(ctx -> error(ctx, 404, "no such endpoint: " + ctx.request().method()
        + " " + ctx.request().path()));
    r.route("/*").handler(StaticHandler.create("web/device").setCachingEnabled(false));
    r.route().failureHandler(DeviceApi::failure);
    r.errorHandler(405, ctx -> error(ctx, 405, "method " + ctx.request().method()
        + " not allowed on " + ctx.request().path()));
    return r;
  }

  /** Create, read, patch and delete of one kind of document. */
  private static void documents(Router r, String path, Function<JsonObject, String> create,
      Function<String, JsonObject> read, Patch patch, java.util.function.Consumer<String> delete) {
    String one = "/api/" + path + "/:id";
    r.post("/api/" + path).blockingHandler(ctx -> created(ctx, read.apply(create.apply(body(ctx)))));
    r.get(one).blockingHandler(ctx -> ok(ctx, read.apply(id(ctx))));
    r.patch(one).blockingHandler(ctx -> {
      patch.apply(id(ctx), body(ctx));
      ok(ctx, read.apply(id(ctx)));
    });
    r.delete(one).blockingHandler(ctx -> {
      delete.accept(id(ctx));
      ctx.response().setStatusCode(204).end();
    });
  }

  private interface Patch {
    void apply(String id, JsonObject input);
  }

  private static String id(RoutingContext ctx) {
    return ctx.pathParam("id");
  }

  /** The request's body, which must be one JSON object. */
  static JsonObject body(RoutingContext ctx) {
    String text = ctx.body().asString();
    if (text == null || text.isBlank()) {
      throw ApiException.badRequest("the request needs a JSON object body");
    }
    Object v;
    try {
      v = Json.decodeValue(text);
    } catch (DecodeException e) {
      throw ApiException.badRequest("malformed JSON: " + firstLine(e.getMessage()));
    }
    if (!(v instanceof JsonObject o)) {
      throw ApiException.badRequest("the body must be a JSON object");
    }
    return o;
  }

  private static String text(JsonObject in, String field, String refusal) {
    Object v = in.getValue(field);
    if (!(v instanceof String s)) {
      throw ApiException.badRequest(refusal);
    }
    return s;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) : line;
  }

  private static void ok(RoutingContext ctx, Object json) {
    send(ctx, 200, json);
  }

  private static void created(RoutingContext ctx, JsonObject json) {
    send(ctx, 201, json);
  }

  private static void send(RoutingContext ctx, int status, Object json) {
    ctx.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .end(Json.encode(json));
  }

  static void error(RoutingContext ctx, int status, String message) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    send(ctx, status, new JsonObject().put("error", message).put("status", status));
  }

  private static void failure(RoutingContext ctx) {
    Throwable t = ctx.failure();
    if (t instanceof ApiException e) {
      LOG.log(Level.DEBUG, "refused {0} {1}: {2}", ctx.request().method(), ctx.request().path(),
          e.getMessage());
      error(ctx, e.status(), e.getMessage());
    } else if (ctx.statusCode() == 413) {
      error(ctx, 413, "the request body is larger than " + BODY_LIMIT + " bytes");
    } else if (t == null && ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      error(ctx, ctx.statusCode(), "bad request");
    } else {
      LOG.log(Level.ERROR, "failed " + ctx.request().method() + " " + ctx.request().path(), t);
      error(ctx, 500, "internal error: " + (t == null ? "unknown" : t.getClass().getSimpleName()));
    }
  }
}
