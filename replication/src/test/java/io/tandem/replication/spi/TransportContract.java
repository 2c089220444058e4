package io.tandem.replication.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Transport} must do, whatever carries the bytes. A subclass supplies two
 * endpoints that connect to each other, a way to cut and restore that connection, and a way to
 * wait: the simulator advances virtual time, a real transport waits on the clock.
 *
 * <p>Shared through the test-jar, so the hooks stay few and the tests use nothing but the
 * {@code Transport} interface. Peer ids are learnt from peerUp, never assumed.
 */
public abstract class TransportContract {

  /** Two endpoints, not yet started, that connect to each other once both have started. */
  public record Endpoints(Transport left, Transport right) {}

  /** Creates the two endpoints of a test; called once per test. */
  protected abstract Endpoints createConnectedPair();

  /** Breaks the connection between the pair, as a network failure would. */
  protected abstract void cut();

  /** Lets the pair connect again after {@link #cut()}. */
  protected abstract void restore();

  /** Returns once {@code condition} holds; fails the test if it does not hold in good time. */
  /** Whether the transport under test keeps order, and so must give each connection its own id. */
  protected boolean ordered() {
    return left.ordered();
  }

  protected abstract void awaitUntil(String what, BooleanSupplier condition);

  /** Every listener event notifies this monitor, so a real-time wait need not poll blindly. */
  private final Object monitor = new Object();
  private final ThreadLocal<Boolean> inCallback = ThreadLocal.withInitial(() -> false);
  private final List<String> violations = new ArrayList<>();
  private Transport left;
  private Transport right;
  private Recorder leftEvents;
  private Recorder rightEvents;

  /**
   * A real-time {@link #awaitUntil} for transports on threads: re-checks the condition after
   * every listener event, and at least every 50 ms for conditions no event announces.
   */
  protected final void awaitWithTimeout(String what, BooleanSupplier condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (monitor) {
      while (!condition.getAsBoolean()) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          throw new AssertionError("timed out after " + timeout + " waiting until " + what);
        }
        try {
          monitor.wait(Math.min(TimeUnit.NANOSECONDS.toMillis(remaining) + 1, 50));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted waiting until " + what, e);
        }
      }
    }
  }

  @AfterEach
  void closeEndpoints() {
    if (left != null) {
      left.close();
      right.close();
    }
    assertThat(violations).as("listener calls nested inside another call").isEmpty();
  }

  @Test
  void bothSidesSeePeerUp() {
    startBoth();

    assertThat(leftEvents.kinds()).containsExactly("up");
    assertThat(rightEvents.kinds()).containsExactly("up");
  }

  @Test
  void framesArriveWholeUnchangedAndInOrder() {
    startBoth();
    List<byte[]> toRight = frames("left", 200);
    List<byte[]> toLeft = frames("right", 200);

    for (int i = 0; i < 200; i++) {
      left.send(rightId(), ByteBuffer.wrap(toRight.get(i)));
      right.send(leftId(), ByteBuffer.wrap(toLeft.get(i)));
    }
    awaitUntil("200 frames each way", () -> rightEvents.frames().size() == 200
        && leftEvents.frames().size() == 200);

    assertThat(rightEvents.frames()).containsExactlyElementsOf(toRight);
    assertThat(leftEvents.frames()).containsExactlyElementsOf(toLeft);
  }

  @Test
  void senderMayReuseItsBufferOnceSendReturns() {
    startBoth();
    ByteBuffer buffer = ByteBuffer.wrap(utf8("original"));

    left.send(rightId(), buffer);
    // A sender that recycles its buffer must not change what is on the wire.
    buffer.clear();
    buffer.put(utf8("scribble"));
    awaitUntil("the frame arrives", () -> rightEvents.frames().size() == 1);

    assertThat(rightEvents.frames().get(0)).isEqualTo(utf8("original"));
  }

  @Test
  void listenerMaySendWhileHandlingAFrame() {
    startBoth();
    rightEvents.echo = right;

    for (int i = 0; i < 20; i++) {
      left.send(rightId(), ByteBuffer.wrap(utf8("ping " + i)));
    }
    awaitUntil("20 echoes", () -> leftEvents.frames().size() == 20);

    assertThat(leftEvents.frames()).containsExactlyElementsOf(rightEvents.frames());
  }

  @Test
  void sendAfterThePeerIsDownFails() {
    startBoth();
    cut();
    awaitUntil("left sees peerDown", () -> leftEvents.count("down") == 1);

    CompletableFuture<Void> late = left.send(rightId(), ByteBuffer.wrap(utf8("late")))
        .toCompletableFuture();
    awaitUntil("the late send settles", late::isDone);

    assertThat(late).isCompletedExceptionally();
  }

  @Test
  void sendToAnUnknownPeerFails() {
    startBoth();

    CompletableFuture<Void> sent = left.send(PeerId.of("nobody-by-this-name"),
        ByteBuffer.wrap(utf8("hello?"))).toCompletableFuture();
    awaitUntil("the send settles", sent::isDone);

    assertThat(sent).isCompletedExceptionally();
  }

  @Test
  void cutDeliversPeerDownToBothSides() {
    startBoth();

    cut();
    awaitUntil("both see peerDown",
        () -> leftEvents.count("down") == 1 && rightEvents.count("down") == 1);

    assertThat(leftEvents.kinds()).containsExactly("up", "down");
    assertThat(rightEvents.kinds()).containsExactly("up", "down");
  }

  @Test
  void restoredConnectionDeliversPeerUpAgainAndCarriesFrames() {
    startBoth();
    cut();
    awaitUntil("both see peerDown",
        () -> leftEvents.count("down") == 1 && rightEvents.count("down") == 1);

    restore();
    awaitUntil("both see peerUp again",
        () -> leftEvents.count("up") == 2 && rightEvents.count("up") == 2);
    PeerId before = leftEvents.peers().get(0);
    left.send(rightId(), ByteBuffer.wrap(utf8("after the storm")));
    awaitUntil("the frame arrives", () -> rightEvents.frames().size() == 1);

    assertThat(rightEvents.kinds()).containsExactly("up", "down", "up", "frame");
    if (ordered() && !rightId().equals(before)) {
      // A new connection has an id of its own: the old one is dead for good.
      CompletableFuture<Void> stale = left.send(before, ByteBuffer.wrap(utf8("stale")))
          .toCompletableFuture();
      awaitUntil("the stale send settles", stale::isDone);
      assertThat(stale).isCompletedExceptionally();
    }
    assertThat(!ordered() || !rightId().equals(before))
        .as("an ordered transport gives a new connection a new id").isTrue();
  }

  @Test
  void closeStopsAllEvents() {
    startBoth();
    int seenBeforeClose = leftEvents.kinds().size();

    left.close();
    awaitUntil("right sees peerDown", () -> rightEvents.count("down") == 1);
    CompletableFuture<Void> toClosed = right.send(leftId(), ByteBuffer.wrap(utf8("anyone?")))
        .toCompletableFuture();
    CompletableFuture<Void> fromClosed = left.send(rightId(), ByteBuffer.wrap(utf8("ghost")))
        .toCompletableFuture();
    awaitUntil("both sends settle", () -> toClosed.isDone() && fromClosed.isDone());

    assertThat(toClosed).isCompletedExceptionally();
    assertThat(fromClosed).isCompletedExceptionally();
    assertThat(leftEvents.kinds()).hasSize(seenBeforeClose);
    assertThat(rightEvents.frames()).isEmpty();
  }

  @Test
  void oneMebibyteFrameArrivesWhole() {
    startBoth();
    byte[] big = new byte[1 << 20];
    new Random(20240611L).nextBytes(big);

    left.send(rightId(), ByteBuffer.wrap(big));
    awaitUntil("the big frame arrives", () -> rightEvents.frames().size() == 1);

    assertThat(rightEvents.frames().get(0)).isEqualTo(big);
  }

  private void startBoth() {
    Endpoints pair = createConnectedPair();
    left = pair.left();
    right = pair.right();
    leftEvents = new Recorder();
    rightEvents = new Recorder();
    left.start(leftEvents);
    right.start(rightEvents);
    awaitUntil("both sides see peerUp",
        () -> leftEvents.count("up") == 1 && rightEvents.count("up") == 1);
  }

  /** The id of the right endpoint on the latest connection, as the left one knows it. */
  private PeerId rightId() {
    List<PeerId> ids = leftEvents.peers();
    return ids.get(ids.size() - 1);
  }

  private PeerId leftId() {
    List<PeerId> ids = rightEvents.peers();
    return ids.get(ids.size() - 1);
  }

  private static List<byte[]> frames(String from, int n) {
    Random random = new Random(from.hashCode());
    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] body = new byte[1 + random.nextInt(2000)];
      random.nextBytes(body);
      // A readable head makes a mismatch easy to read in the failure message.
      byte[] head = utf8(from + "#" + i + ":");
      System.arraycopy(head, 0, body, 0, Math.min(head.length, body.length));
      frames.add(body);
    }
    return frames;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Records what one endpoint's listener is told, and notices calls nested in another. */
  private final class Recorder implements PeerListener {
    private final List<String> kinds = new ArrayList<>();
    private final List<PeerId> peers = new ArrayList<>();
    private final List<byte[]> frames = new ArrayList<>();
    /** When set, every frame is sent back to its sender from inside the callback. */
    volatile Transport echo;

    @Override
    public void peerUp(PeerId peer) {
      enter("up", peer);
      try {
        record("up", peer, null);
      } finally {
        inCallback.set(false);
      }
    }

    @Override
    public void peerDown(PeerId peer) {
      enter("down", peer);
      try {
        record("down", peer, null);
      } finally {
        inCallback.set(false);
      }
    }

    @Override
    public void frame(PeerId peer, ByteBuffer frame) {
      enter("frame", peer);
      try {
        byte[] bytes = new byte[frame.remaining()];
        frame.get(bytes);
        record("frame", peer, bytes);
        Transport echoFrom = echo;
        if (echoFrom != null) {
          // A transport that delivered inside send would re-enter a listener here.
          echoFrom.send(peer, ByteBuffer.wrap(bytes));
        }
      } finally {
        inCallback.set(false);
      }
    }

    private void enter(String kind, PeerId peer) {
      if (inCallback.get()) {
        synchronized (monitor) {
          violations.add(kind + " from " + peer);
        }
      }
      inCallback.set(true);
    }

    private void record(String kind, PeerId peer, byte[] bytes) {
      synchronized (monitor) {
        kinds.add(kind);
        peers.add(peer);
        if (bytes != null) {
          frames.add(bytes);
        }
        monitor.notifyAll();
      }
    }

    List<String> kinds() {
      synchronized (monitor) {
        return List.copyOf(kinds);
      }
    }

    List<PeerId> peers() {
      synchronized (monitor) {
        return List.copyOf(peers);
      }
    }

    List<byte[]> frames() {
      synchronized (monitor) {
        return List.copyOf(frames);
      }
    }

    long count(String kind) {
      return kinds().stream().filter(kind::equals).count();
    }
  }
}
