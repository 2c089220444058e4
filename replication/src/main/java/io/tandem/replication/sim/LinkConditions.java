package io.tandem.replication.sim;

/**
 * How one direction of a simulated link treats each frame: dropped with probability {@code drop};
 * otherwise delivered after a delay drawn uniformly from {@code [minDelayMillis, maxDelayMillis]},
 * and with probability {@code duplicate} delivered once more after a delay of its own. Frames
 * reorder whenever the delay range is wider than zero.
 *
 * @param drop probability that a frame is lost, in [0, 1]
 * @param duplicate probability that a frame that is not lost arrives twice, in [0, 1]
 * @param minDelayMillis shortest delivery delay, at least 0
 * @param maxDelayMillis longest delivery delay, at least {@code minDelayMillis}
 */
public record LinkConditions(double drop, double duplicate, long minDelayMillis,
    long maxDelayMillis) {

  /** Nothing lost, nothing doubled, every frame takes exactly one millisecond: FIFO. */
  public static final LinkConditions PERFECT = new LinkConditions(0, 0, 1, 1);

  /** A good local network: nothing lost, a few milliseconds of jitter, so frames may reorder. */
  public static final LinkConditions LAN = new LinkConditions(0, 0, 1, 5);

  /** A poor mobile link: one frame in five lost, some doubled, up to a quarter second late. */
  public static final LinkConditions LOSSY = new LinkConditions(0.2, 0.05, 20, 250);

  public LinkConditions {
    // Written as negations so that NaN, which fails every comparison, is rejected too.
    if (!(drop >= 0 && drop <= 1)) {
      throw new IllegalArgumentException("drop must be in [0, 1]: " + drop);
    }
    if (!(duplicate >= 0 && duplicate <= 1)) {
      throw new IllegalArgumentException("duplicate must be in [0, 1]: " + duplicate);
    }
    if (minDelayMillis < 0 || maxDelayMillis < minDelayMillis) {
      throw new IllegalArgumentException(
          "delays must satisfy 0 <= min <= max: " + minDelayMillis + ".." + maxDelayMillis);
    }
  }

  public LinkConditions withDrop(double p) {
    return new LinkConditions(p, duplicate, minDelayMillis, maxDelayMillis);
  }

  public LinkConditions withDuplicate(double p) {
    return new LinkConditions(drop, p, minDelayMillis, maxDelayMillis);
  }

  public LinkConditions withDelay(long minMillis, long maxMillis) {
    return new LinkConditions(drop, duplicate, minMillis, maxMillis);
  }
}
