package io.tandem.replication.protocol;

import io.tandem.replication.protocol.Message.Hello;
import java.util.function.BooleanSupplier;

/**
 * The opening of one session and its upkeep: our hello, said again with a doubling delay until
 * the peer's hello and first summary are here; over a lossy link our hello and summary said again
 * while the peer says it lacks them ({@link SummaryEcho}); and the stall that calls for a whole
 * summary: the peer holds records we lack, yet offers none.
 *
 * <p>Law: nothing but hellos goes before the peer's first summary; the hello delay never exceeds
 * {@link SyncSession#HELLO_CAP_MILLIS} (or the least resend delay, if longer); the stall delay
 * doubles up to 64 times the longest resend delay and starts again whenever the peer offers.
 */
final class Handshake {

  private final SyncSession.Local local;
  private final SessionConfig config;
  /** Over a lossy link, our hello and summary said again while the peer says it lacks them. */
  private final SummaryEcho summaryEcho;
  /**
   * Whether the peer's first summary arrived. Nothing is sent before it in either mode: a guess
   * of what the peer holds costs whole records when wrong (measured: 1.27x became 1.50x in
   * part 4's world (b)), and the summary comes with the peer's answer to our hello anyway.
   */
  private boolean summarized;
  private long helloAt = Long.MIN_VALUE;
  private long helloBackoff;
  /** When the peer last offered us records, in a summary, deltas or an offer. */
  private long lastOffered;
  private long stallAfter;

  Handshake(SyncSession.Local local, SessionConfig config) {
    this.local = local;
    this.config = config;
    this.helloBackoff = config.minBackoffMillis();
    this.stallAfter = 2 * config.maxBackoffMillis();
    this.summaryEcho = new SummaryEcho(config.ordered() ? 0 : SyncSession.ACK_ECHO_WINDOWS
        * config.minBackoffMillis() * SyncSession.CLAIM_ROUND_TRIPS,
        SendWindow.resendCap(config));
  }

  /** Our hello; {@code heardYou} says the peer's hello is here. */
  Hello hello(boolean heardYou) {
    return new Hello(Message.VERSION, local.id(), config.interactive(), heardYou,
        config.relay());
  }

  /** Our first hello goes at {@code now}. */
  void started(long now) {
    helloAt = now;
    lastOffered = now;
  }

  /**
   * The hello to say again at {@code now}, while the peer's hello or first summary is not here;
   * null if none is due. It says it has not heard the peer, which asks for both again.
   */
  Hello helloDue(long now) {
    if (now - helloAt < helloBackoff) {
      return null;
    }
    helloAt = now;
    helloBackoff = Math.min(Math.max(config.minBackoffMillis(), SyncSession.HELLO_CAP_MILLIS),
        SendWindow.nextBackoff(config, helloBackoff));
    return hello(false);
  }

  /** We asked for the whole summary: the answer is a round trip away, no hello before then. */
  void wholeAsked(long now) {
    helloAt = now;
  }

  /** Whether the peer's first summary arrived. */
  boolean summarized() {
    return summarized;
  }

  /** The peer's first summary, or a later one, arrived. */
  void summarize() {
    summarized = true;
  }

  /** The peer offered us records (in a summary, deltas or an offer): it is not stalled. */
  void offered(long now) {
    lastOffered = now;
    stallAfter = 2 * config.maxBackoffMillis();
  }

  /** The peer sent records or an offer: it has our summary. */
  void answered(long now) {
    summaryEcho.answered();
    offered(now);
  }

  /** The peer says it lacks our hello or summary: said again now, and echoed for a while. */
  void saidAgain(long now) {
    summaryEcho.asked(now);
  }

  /** Whether our hello and summary are due again at {@code now} over a lossy link. */
  boolean echoDue(long now) {
    return summaryEcho.due(now);
  }

  /**
   * Whether the peer, {@code lacking} records it holds, offered none for too long: it may believe
   * we hold them (a base mistaken through a hash collision), and a whole summary is due.
   */
  boolean stalled(long now, BooleanSupplier lacking) {
    if (summarized && now - lastOffered >= stallAfter && lacking.getAsBoolean()) {
      lastOffered = now;
      stallAfter = Math.min(stallAfter * 2, 64 * config.maxBackoffMillis());
      return true;
    }
    return false;
  }
}
