package io.tandem.replication.protocol;

/**
 * Over a lossy link, this replica's hello and summary said again while the peer lacks them. A
 * peer that has not had our summary says so in every hello it sends ("heard you" unset), and
 * nothing flows until it has it. Answered only at once, the answer got through only when that
 * hello and the answer both did: with nine frames in ten lost, one time in a hundred (part 4's
 * world (a): in seed 4 the two phones' session opened after 825 s, and for those minutes every
 * message went through the third device). So after such a hello the answer goes again every
 * {@code everyMillis}, on this replica's own clock, until the peer shows it has our summary (it
 * sends records or offers, which it does only then), or {@code windowMillis} after the last such
 * hello (a peer with nothing to send, or gone). Over an ordered transport hellos are not lost
 * unnoticed: the window is 0 and nothing is echoed.
 *
 * <p>Law: nothing is echoed unless the peer asked within {@code windowMillis}; at most one echo
 * per {@code everyMillis}.
 */
final class SummaryEcho {

  private final long windowMillis;
  private final long everyMillis;
  private long until = Long.MIN_VALUE;
  private long next = Long.MAX_VALUE;

  SummaryEcho(long windowMillis, long everyMillis) {
    this.windowMillis = windowMillis;
    this.everyMillis = everyMillis;
  }

  /** The peer said it lacks our summary; it was just answered once. */
  void asked(long now) {
    if (windowMillis == 0) {
      return;
    }
    until = now + windowMillis;
    next = Math.min(next, now + everyMillis);
  }

  /** The peer sent what it sends only once it has our summary: no more echoes. */
  void answered() {
    until = Long.MIN_VALUE;
    next = Long.MAX_VALUE;
  }

  /** Whether the hello and summary go again at {@code now}. */
  boolean due(long now) {
    if (now >= until) {
      next = Long.MAX_VALUE;
      return false;
    }
    if (now < next) {
      return false;
    }
    next = now + everyMillis;
    return true;
  }
}
