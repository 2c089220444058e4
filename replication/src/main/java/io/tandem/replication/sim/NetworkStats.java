package io.tandem.replication.sim;

import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a simulated network carried since it started or since its stats were last reset: an
 * immutable snapshot for experiments and for failure messages.
 *
 * <p>{@code sent} counts every frame a transport accepted, once, whatever then became of it: it
 * is the bandwidth the sender used. The other counters say what happened to those frames.
 *
 * @param sent frames and bytes accepted for sending
 * @param byKind {@code sent}, by frame kind (see {@link SimulatedNetwork#setFrameKind})
 * @param byLink {@code sent}, by directed link
 * @param delivered copies handed to a receiving listener, duplicates included
 * @param dropped frames lost to the link's drop probability (on an ordered network, each broke its
 *     connection)
 * @param duplicated extra copies the link added
 * @param lostInFlight copies on their way when their link went down
 * @param refused sends that failed at once because the link was down
 */
public record NetworkStats(Traffic sent, SortedMap<String, Traffic> byKind,
    SortedMap<Link, Traffic> byLink, long delivered, long dropped, long duplicated,
    long lostInFlight, long refused) {

  /** A number of frames and the bytes they held. */
  public record Traffic(long frames, long bytes) {
    public static final Traffic ZERO = new Traffic(0, 0);

    public Traffic plus(Traffic o) {
      return new Traffic(frames + o.frames, bytes + o.bytes);
    }

    public Traffic minus(Traffic o) {
      return new Traffic(frames - o.frames, bytes - o.bytes);
    }

    @Override
    public String toString() {
      return frames + " frames/" + bytes + " B";
    }
  }

  /** One direction between two endpoints. */
  public record Link(String from, String to) implements Comparable<Link> {
    public Link {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
    }

    @Override
    public int compareTo(Link o) {
      int c = from.compareTo(o.from);
      return c != 0 ? c : to.compareTo(o.to);
    }

    @Override
    public String toString() {
      return from + "->" + to;
    }
  }

  public NetworkStats {
    Objects.requireNonNull(sent, "sent");
    byKind = Collections.unmodifiableSortedMap(new TreeMap<>(byKind));
    byLink = Collections.unmodifiableSortedMap(new TreeMap<>(byLink));
  }

  /** What frames of {@code kind} were sent; zero when none. */
  public Traffic kind(String kind) {
    return byKind.getOrDefault(kind, Traffic.ZERO);
  }

  /** What was sent from {@code from} to {@code to}; zero when nothing. */
  public Traffic link(String from, String to) {
    return byLink.getOrDefault(new Link(from, to), Traffic.ZERO);
  }

  /** What happened between {@code earlier} and this snapshot, for measuring one phase of a run. */
  public NetworkStats minus(NetworkStats earlier) {
    return new NetworkStats(sent.minus(earlier.sent), diff(byKind, earlier.byKind),
        diff(byLink, earlier.byLink), delivered - earlier.delivered, dropped - earlier.dropped,
        duplicated - earlier.duplicated, lostInFlight - earlier.lostInFlight,
        refused - earlier.refused);
  }

  private static <K> SortedMap<K, Traffic> diff(Map<K, Traffic> now, Map<K, Traffic> before) {
    Set<K> keys = new HashSet<>(now.keySet());
    keys.addAll(before.keySet());
    SortedMap<K, Traffic> out = new TreeMap<>();
    for (K k : keys) {
      Traffic d = now.getOrDefault(k, Traffic.ZERO).minus(before.getOrDefault(k, Traffic.ZERO));
      if (!d.equals(Traffic.ZERO)) {
        out.put(k, d);
      }
    }
    return out;
  }

  /** One line, for logs and for the message when a run will not go quiet. */
  public String summary() {
    return "sent " + sent + " " + byKind + ", delivered " + delivered + ", dropped " + dropped
        + ", duplicated " + duplicated + ", lost in flight " + lostInFlight + ", refused "
        + refused;
  }
}
