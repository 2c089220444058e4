package io.tandem.demo.notes;

import io.tandem.replication.Change;
import io.tandem.replication.ChangeListener;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Server-sent events to the open pages of one device: "change" soon after the replica applied
 * a delta (local or from a peer) or another device said it is typing (bursts coalesce), and
 * "tick" every second so the sync status
 * stays fresh. Pages fetch the state again on either.
 */
final class LiveEvents implements ChangeListener, AutoCloseable {

  private static final long COALESCE_MILLIS = 40;
  private static final long TICK_MILLIS = 1000;

  private final Vertx vertx;
  private final Context context;
  private final Set<HttpServerResponse> open = new LinkedHashSet<>();
  private final long ticker;
  private boolean changeQueued;

  LiveEvents(Vertx vertx) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.ticker = vertx.setPeriodic(TICK_MILLIS, id -> context.runOnContext(v -> send("tick")));
  }

  /** GET /api/events: holds the response open as an event stream. */
  void subscribe(RoutingContext ctx) {
    HttpServerResponse r = ctx.response();
    r.setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no");
    context.runOnContext(v -> {
      open.add(r);
      r.write("retry: 1000\n\nevent: change\ndata: {}\n\n");
    });
    r.closeHandler(v -> context.runOnContext(w -> open.remove(r)));
  }

  @Override
  public void changed(Change change) {
    soon();
  }

  /** Sends "change" soon, once for a burst: something the pages show changed. */
  void soon() {
    context.runOnContext(v -> {
      if (!changeQueued) {
        changeQueued = true;
        vertx.setTimer(COALESCE_MILLIS, id -> context.runOnContext(w -> {
          changeQueued = false;
          send("change");
        }));
      }
    });
  }

  private void send(String event) {
    for (HttpServerResponse r : Set.copyOf(open)) {
      if (r.closed() || r.ended()) {
        open.remove(r);
      } else {
        r.write("event: " + event + "\ndata: {}\n\n");
      }
    }
  }

  @Override
  public void close() {
    vertx.cancelTimer(ticker);
    context.runOnContext(v -> {
      open.forEach(r -> {
        if (!r.closed() && !r.ended()) {
          r.end();
        }
      });
      open.clear();
    });
  }
}
