package io.tandem.transport.vertx;

import java.util.function.Consumer;

/** Every refusal is logged with its reason and handed to the listener (metrics, tests). */
final class RefusalLog {

  private static final System.Logger LOG = System.getLogger("io.tandem.transport.vertx.refusals");

  private RefusalLog() {}

  static Refusal report(Consumer<Refusal> listener, Refusal refusal) {
    LOG.log(System.Logger.Level.WARNING, "refused peer: {0}", refusal);
    try {
      listener.accept(refusal);
    } catch (RuntimeException e) {
      // A broken listener must not turn a refusal into an acceptance or a crash of the handshake.
      LOG.log(System.Logger.Level.ERROR, "refusal listener failed", e);
    }
    return refusal;
  }
}
