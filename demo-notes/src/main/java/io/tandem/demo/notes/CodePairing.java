package io.tandem.demo.notes;

import io.tandem.transport.vertx.DeviceIdentity;
import io.tandem.transport.vertx.PairedDevice;
import io.tandem.transport.vertx.Pairing;
import io.tandem.transport.vertx.PairingBudget;
import io.tandem.transport.vertx.PairingException;
import io.tandem.transport.vertx.PeerAddress;
import io.tandem.transport.vertx.TrustedDevices;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.util.regex.Pattern;

/**
 * Pairing from the page with the short code (docs/PAIRING.md): one device offers (listens on a
 * port of its own and, once the other device connected, shows 6 digits), the other joins that
 * {@code host:port} and then types the digits. Both pin each other only if the code matches. At
 * most one offer and one join at a time; a new one replaces the old.
 */
final class CodePairing {

  private static final System.Logger LOG = System.getLogger(CodePairing.class.getName());
  private static final Pattern CODE = Pattern.compile("[0-9]{6}");

  private final Pairing pairing;
  private final String host;
  private Pairing.Offer offer;
  private String offerState = "none";
  private String shownCode;
  private Future<PairedDevice> joining;
  private Promise<String> typed;
  private String joinState = "none";

  CodePairing(Vertx vertx, DeviceIdentity identity, TrustedDevices trusted, String host) {
    this.pairing = new Pairing(vertx, identity, trusted, PairingBudget.standard(),
        refusal -> LOG.log(Level.INFO, "pairing refused: {0}", refusal));
    this.host = host;
  }

  /**
   * Starts offering; the code shows in {@link #describe} once the other device connected. Runs
   * on an event loop and never blocks: the exchange pins on a worker of the caller's context.
   */
  synchronized Future<Void> offer() {
    if (offer != null) {
      offer.cancel();
    }
    return pairing.offer(host, 0, this::show).recover(e -> Future.failedFuture(refusal(e)))
        .map(started -> {
          synchronized (this) {
            offer = started;
            shownCode = null;
            offerState = "waiting";
          }
          started.result().onComplete(done ->
              ended(started, done.succeeded() ? null : done.cause()));
          return null;
        });
  }

  private synchronized void show(String code) {
    shownCode = code;
    offerState = "showing";
  }

  private synchronized void ended(Pairing.Offer which, Throwable failure) {
    if (which != offer) {
      return;
    }
    shownCode = null;
    offerState = failure == null ? "paired" : "failed: " + message(failure);
  }

  /**
   * Connects to the device offering at {@code address}; the exchange then waits for
   * {@link #enterCode}.
   *
   * @throws ApiException 400 for an address that is not {@code host:port}
   */
  synchronized JsonObject join(String address) {
    PeerAddress to;
    try {
      to = PeerAddress.parse(address.strip());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("'address' must be host:port as the other device's page"
          + " shows it: " + e.getMessage());
    }
    if (typed != null) {
      typed.tryFail("replaced by a new join");
    }
    Promise<String> code = Promise.promise();
    typed = code;
    joinState = "connecting";
    Future<PairedDevice> attempt = pairing.accept(to.host(), to.port(), () -> {
      synchronized (this) {
        if (typed == code) {
          joinState = "waiting for the code";
        }
      }
      return code.future();
    });
    joining = attempt;
    attempt.onComplete(done -> {
      synchronized (this) {
        if (joining == attempt) {
          joinState = done.succeeded() ? "paired" : "failed: " + message(done.cause());
        }
      }
    });
    return describe();
  }

  /**
   * Hands the code the user typed to the join under way; completes once both devices checked
   * it.
   *
   * @throws ApiException 400 for anything but 6 digits, 409 with no join under way, 403 for a
   *     wrong code (nothing is pinned)
   */
  Future<Void> enterCode(String code) {
    String digits = code.strip();
    if (!CODE.matcher(digits).matches()) {
      throw ApiException.badRequest("the code is the 6 digits the other device shows");
    }
    Future<PairedDevice> attempt;
    synchronized (this) {
      if (typed == null || joining == null || joining.isComplete()) {
        throw new ApiException(409, "no join is under way: join the other device's"
            + " host:port first");
      }
      attempt = joining;
      typed.tryComplete(digits);
    }
    return attempt.<Void>mapEmpty().recover(e -> Future.failedFuture(refusal(e)));
  }

  synchronized JsonObject describe() {
    JsonObject o = new JsonObject().put("state", offerState);
    if (offer != null) {
      o.put("port", offer.port());
    }
    if (shownCode != null) {
      o.put("code", shownCode);
    }
    return new JsonObject().put("offer", o).put("join", new JsonObject().put("state", joinState));
  }

  synchronized void close() {
    if (offer != null) {
      offer.cancel();
    }
    if (typed != null) {
      typed.tryFail("closed");
    }
  }

  private static ApiException refusal(Throwable cause) {
    if (cause instanceof PairingException p
        && p.reason() == PairingException.Reason.WRONG_CODE) {
      return new ApiException(403, "wrong code: nothing was paired");
    }
    return new ApiException(409, "pairing failed: " + message(cause));
  }

  private static String message(Throwable t) {
    if (t instanceof PairingException p && p.reason() == PairingException.Reason.WRONG_CODE) {
      return "wrong code, nothing was paired";
    }
    return t == null ? "unknown" : t.getMessage();
  }
}
