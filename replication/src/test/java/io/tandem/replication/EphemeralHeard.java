package io.tandem.replication;

import io.tandem.crdt.ReplicaId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What one replica's ephemeral listener heard, in order, as {@code origin topic payload} lines
 * (payload as UTF-8): readable in a failed assertion. Thread-safe.
 */
public final class EphemeralHeard implements EphemeralListener {

  private final List<String> heard = new ArrayList<>();

  /** A listener added to {@code r}. */
  public static EphemeralHeard on(Replica r) {
    EphemeralHeard h = new EphemeralHeard();
    r.addEphemeralListener(h);
    return h;
  }

  @Override
  public synchronized void received(ReplicaId origin, String topic, byte[] payload) {
    heard.add(line(origin, topic, payload));
    notifyAll();
  }

  /**
   * Waits, for transports on real threads, until {@code n} messages were heard; fails after
   * {@code timeout}.
   */
  public synchronized List<String> await(int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (heard.size() < n) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("heard " + heard + ", not " + n + " messages, in " + timeout);
      }
      wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
    }
    return List.copyOf(heard);
  }

  public synchronized List<String> all() {
    return List.copyOf(heard);
  }

  /** The line {@link #all} holds for that message. */
  public static String line(ReplicaId origin, String topic, byte[] payload) {
    return origin + " " + topic + " " + new String(payload, StandardCharsets.UTF_8);
  }

  public static String line(Replica origin, String topic, String payload) {
    return line(origin.id(), topic, payload.getBytes(StandardCharsets.UTF_8));
  }
}
