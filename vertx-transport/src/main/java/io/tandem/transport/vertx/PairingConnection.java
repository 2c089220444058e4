package io.tandem.transport.vertx;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Drives one {@link PairingSession} over one TLS connection: frames are {@code [length u16]
 * [message]}, a length above {@link PairingCodec#MAX_MESSAGE_BYTES} closes the connection before
 * anything is allocated for it. The whole exchange, the user's typing included, is bounded by a
 * timeout. On success the peer is pinned; on failure nothing is, an attempt of the budget is
 * spent, and the refusal is logged and reported.
 */
final class PairingConnection {

  private final Vertx vertx;
  private final NetSocket socket;
  private final Pairing.Setup setup;
  private final Consumer<String> showCode;
  private final Supplier<Future<String>> typeCode;
  private final Promise<PairedDevice> result = Promise.promise();
  private io.vertx.core.Context context;
  private PairingSession session;
  private Fingerprint peer;

  private PairingConnection(Vertx vertx, NetSocket socket, Pairing.Setup setup,
      Consumer<String> showCode, Supplier<Future<String>> typeCode) {
    this.vertx = vertx;
    this.socket = socket;
    this.setup = setup;
    this.showCode = showCode;
    this.typeCode = typeCode;
  }

  static Future<PairedDevice> run(Vertx vertx, NetSocket socket, Pairing.Setup setup,
      PairingSession.Role role, Consumer<String> showCode, Supplier<Future<String>> typeCode) {
    PairingConnection connection = new PairingConnection(vertx, socket, setup, showCode, typeCode);
    connection.start(role);
    return connection.result.future();
  }

  private void start(PairingSession.Role role) {
    // The session is confined to the socket's context; the user's code may arrive on any thread.
    context = vertx.getOrCreateContext();
    long timer = vertx.setTimer(setup.timeout().toMillis(), id -> fail(new PairingException(
        PairingException.Reason.TIMEOUT, "not finished within " + setup.timeout()), true));
    result.future().onComplete(done -> {
      vertx.cancelTimer(timer);
      socket.close();
    });
    socket.closeHandler(v -> {
      if (session == null || session.state() != PairingSession.State.PAIRED) {
        // once paired, the peer may close before our pin is written; that is no failure
        fail(new PairingException(PairingException.Reason.TIMEOUT,
            "the connection closed during the exchange"), false);
      }
    });
    try {
      X509Certificate[] chain = TlsSetup.peerChain(socket, r -> { });
      peer = Fingerprint.of(chain[0]);
      if (setup.trusted().isRevoked(peer)) {
        fail(new PairingException(PairingException.Reason.REVOKED,
            "key " + peer.abbreviated() + " was revoked and is never trusted again"), true);
        return;
      }
      session = role == PairingSession.Role.SHOWER
          ? PairingSession.shower(setup.identity(), chain[0].getPublicKey(), setup.random())
          : PairingSession.typer(setup.identity(), chain[0].getPublicKey(), setup.random());
    } catch (RefusedPeerException e) {
      fail(new PairingException(PairingException.Reason.KEY_MISMATCH, e.getMessage()), false);
      return;
    }
    RecordParser parser = RecordParser.newFixed(2);
    parser.handler(new io.vertx.core.Handler<Buffer>() {
      private boolean readingLength = true;

      @Override
      public void handle(Buffer buffer) {
        if (readingLength) {
          int length = buffer.getUnsignedShort(0);
          if (length < 2 || length > PairingCodec.MAX_MESSAGE_BYTES) {
            fail(new PairingException(PairingException.Reason.PROTOCOL,
                "a frame of " + length + " bytes"), true);
            return;
          }
          readingLength = false;
          parser.fixedSizeMode(length);
        } else {
          readingLength = true;
          parser.fixedSizeMode(2);
          received(buffer.getBytes());
        }
      }
    });
    socket.handler(parser);
    send(session.start());
  }

  private void received(byte[] frame) {
    if (result.future().isComplete()) {
      return;
    }
    PairingMessage message;
    try {
      message = PairingCodec.decode(frame);
    } catch (PairingException e) {
      fail(e, true);
      return;
    }
    List<PairingMessage> answers;
    try {
      answers = session.onMessage(message);
    } catch (PairingException e) {
      fail(e, !(message instanceof PairingMessage.Abort));
      return;
    }
    if (session.state() == PairingSession.State.PAIRED) {
      pinThenSend(answers); // S confirms only once its pin is on disk
      return;
    }
    send(answers);
    if (message instanceof PairingMessage.Key && session.code() != null) {
      showCode.accept(session.code());
    }
    if (session.needsCode()) {
      typeCode.get().onComplete(typed -> context.runOnContext(v -> {
        if (result.future().isComplete()) {
          return;
        }
        try {
          send(session.codeTyped(typed.succeeded() ? typed.result() : ""));
        } catch (PairingException e) {
          fail(e, true);
        }
      }));
    }
  }

  private void pinThenSend(List<PairingMessage> answers) {
    PairedDevice device = session.paired(Instant.now());
    vertx.executeBlocking(() -> setup.trusted().pin(device)).onComplete(pinned -> {
      if (pinned.succeeded()) {
        send(answers);
        result.tryComplete(pinned.result());
      } else {
        fail(new PairingException(PairingException.Reason.PROTOCOL,
            "could not pin: " + pinned.cause()), false);
      }
    });
  }

  private void send(List<PairingMessage> messages) {
    for (PairingMessage message : messages) {
      byte[] bytes = PairingCodec.encode(message);
      socket.write(Buffer.buffer(bytes.length + 2).appendUnsignedShort(bytes.length)
          .appendBytes(bytes));
    }
  }

  private void fail(PairingException failure, boolean tellPeer) {
    if (result.future().isComplete()) {
      return;
    }
    if (tellPeer) {
      send(List.of(new PairingMessage.Abort(failure.reason())));
    }
    setup.budget().failed(System.currentTimeMillis());
    RefusalLog.report(setup.refusals(),
        new Refusal(Refusal.Reason.PAIRING_FAILED, peer, failure.getMessage()));
    result.tryFail(failure);
  }

}
