package io.tandem.replication.protocol;

/**
 * The smoothed round trip of one session's acks and its variation, as TCP estimates them (RFC
 * 6298: SRTT, RTTVAR), so a record is resent only once its ack is overdue by more than what
 * acks usually take. An ack's round trip includes the peer's store commit, so it is long while
 * the peer is busy: a fixed short delay then resent records that were merely waiting.
 *
 * <p>Law: before any sample, {@link #timeout} is its least value; after samples it is
 * {@code srtt + 4 * rttvar}, kept within the bounds given.
 */
final class RoundTrip {

  private double srtt = -1;
  private double rttvar;

  /** One measured round trip, in milliseconds; negative ones (a clock step) are ignored. */
  void sample(long millis) {
    if (millis < 0) {
      return;
    }
    if (srtt < 0) {
      srtt = millis;
      rttvar = millis / 2.0;
    } else {
      rttvar = 0.75 * rttvar + 0.25 * Math.abs(srtt - millis);
      srtt = 0.875 * srtt + 0.125 * millis;
    }
  }

  /** How long an ack may take before its records count as lost, within [least, most]. */
  long timeout(long least, long most) {
    if (srtt < 0) {
      return least;
    }
    long t = (long) Math.ceil(srtt + 4 * rttvar);
    return Math.max(least, Math.min(most, t));
  }

  /** The smoothed round trip in milliseconds, or -1 before the first sample. */
  double smoothed() {
    return srtt;
  }
}
