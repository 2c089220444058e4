package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.memory.InMemoryReplicaStore;
import io.tandem.replication.sim.SimulatedNetwork;
import io.tandem.replication.spi.ReplicaStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Self-destructing values (docs/PROTOCOL.md, Expiry; FAULTS.md "Expiry and ephemeral messages"):
 * at its deadline a value is gone from every replica, from every log and snapshot, and a late,
 * buffered or replayed record never brings it back; a peer's clock far ahead expires nothing
 * early. On the simulator's virtual time.
 */
class ExpiryTest {

  private static final Duration TTL = Duration.ofMinutes(1);

  /**
   * A value's text that is a random 32-byte marker (each byte a letter or digit, so the string's
   * UTF-8 bytes are the marker), to find copies of it in stores and files byte by byte.
   */
  static String marker(long seed) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    Random random = new Random(seed);
    StringBuilder s = new StringBuilder(32);
    for (int i = 0; i < 32; i++) {
      s.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return s.toString();
  }

  static Write putSecret(Replica r, String object, String text, Duration ttl) {
    return r.update(object, Notes.map(), (m, w) -> m.update(w.replica(), "text",
        LwwRegister.empty(), v -> v.assign(w.hlc(), text)), ttl);
  }

  static String text(Replica r, String object) {
    return Notes.get(r, object, "text");
  }

  @Test
  void expiredValueIsGoneFromEveryReplicaAndEveryStore() {
    SimCluster c = new SimCluster(1, 3, SyncMode.BATCH);
    String secret = marker(1);
    putSecret(c.replica(0), "msg", secret, TTL);
    Notes.put(c.replica(1), "contacts", "ann", "Ann");
    c.settle(60_000);
    for (Replica r : c.replicas) {
      assertThat(text(r, "msg")).as("before the deadline at %s", r.id()).isEqualTo(secret);
      assertThat(r.objects()).containsExactlyInAnyOrder("msg", "contacts");
    }
    assertThat(markers(c.stores.get(2), secret)).as("the scan finds the value").isPositive();

    c.net.runFor(TTL.toMillis());

    for (int i = 0; i < 3; i++) {
      Replica r = c.replica(i);
      assertThat(text(r, "msg")).as("after the deadline at %s", r.id()).isNull();
      assertThat(r.objects()).containsExactly("contacts");
    }
    assertNoCopies(c, secret);
    c.assertConverged();
    c.checker.assertNoViolation();
  }

  @Test
  void listenersOfEveryReplicaHoldingTheValueHearOnceThatItExpired() {
    SimCluster c = new SimCluster(3, 2, SyncMode.BATCH);
    List<List<String>> heard = List.of(new ArrayList<>(), new ArrayList<>());
    for (int i = 0; i < 2; i++) {
      List<String> mine = heard.get(i);
      c.replica(i).addListener(new ChangeListener() {
        @Override
        public void changed(Change change) {}

        @Override
        public void expired(String object) {
          mine.add(object);
        }
      });
    }
    putSecret(c.replica(0), "msg", marker(3), TTL);
    Notes.put(c.replica(0), "contacts", "ann", "Ann");
    c.settle(30_000);
    assertThat(text(c.replica(1), "msg")).isNotNull();
    assertThat(heard).as("before the deadline").containsOnly(List.of());

    c.net.runFor(TTL.toMillis());
    assertThat(heard).as("after the deadline").containsOnly(List.of("msg"));
    c.net.runFor(TTL.toMillis());
    assertThat(heard).as("later sweeps").containsOnly(List.of("msg"));
  }

  /**
   * The tablet is offline from before the write until after the deadline: when it comes back it
   * gets the records (its vector must stay gap-free) but never the value, and all converge.
   */
  @Test
  void replicaOfflineAtTheDeadlineNeverSeesTheValueAndConverges() {
    SimCluster c = new SimCluster(2, 3, SyncMode.BATCH);
    c.settle(10_000);
    c.net.setOnline("r2", false);
    String secret = marker(2);
    putSecret(c.replica(0), "msg", secret, TTL);
    Notes.put(c.replica(0), "contacts", "bob", "Bob"); // causally after the secret
    c.net.runFor(10_000);
    assertThat(text(c.replica(1), "msg")).isEqualTo(secret);
    c.net.runFor(TTL.toMillis());

    List<String> seen = new ArrayList<>();
    c.replica(2).addListener(ch -> {
      String t = text(c.replica(2), "msg");
      if (t != null) {
        seen.add(t);
      }
    });
    c.net.setOnline("r2", true);
    c.settle(60_000);

    assertThat(seen).as("the value as r2 saw it after coming back").isEmpty();
    assertThat(Notes.get(c.replica(2), "contacts", "bob")).isEqualTo("Bob");
    assertNoCopies(c, secret);
    c.assertConverged();
    c.checker.assertNoViolation();
  }

  /** A replica that held the value and was offline at the deadline drops it by its own clock. */
  @Test
  void replicaOfflineAtTheDeadlineDropsTheValueItHeld() {
    SimCluster c = new SimCluster(3, 2, SyncMode.BATCH);
    String secret = marker(3);
    putSecret(c.replica(0), "msg", secret, TTL);
    c.settle(60_000);
    c.net.setOnline("r1", false);
    c.net.runFor(TTL.toMillis());
    assertThat(text(c.replica(1), "msg")).isNull();
    assertThat(markers(c.stores.get(1), secret)).isZero();
    c.net.setOnline("r1", true);
    c.settle(60_000);
    c.assertConverged();
  }

  /**
   * Records carrying the value, exported before the deadline, are imported after it: by a
   * replica that holds them (duplicates, dropped unread) and by a new one that never had them
   * (late records: applied as metadata, stored without the value). Neither shows it.
   */
  @Test
  void replayedAndLateRecordsNeverBringTheValueBack() throws Exception {
    SimCluster c = new SimCluster(4, 2, SyncMode.BATCH);
    String secret = marker(4);
    putSecret(c.replica(0), "msg", secret, TTL);
    c.settle(60_000);
    List<ByteBuffer> bundle = c.replica(0).exportBundle(VersionVector.empty());
    assertThat(bundle.stream().mapToLong(b -> occurrences(b, secret)).sum())
        .as("the bundle carries the value").isPositive();
    c.net.runFor(TTL.toMillis());

    c.replica(1).importBundle(copies(bundle));
    assertThat(text(c.replica(1), "msg")).isNull();
    assertThat(markers(c.stores.get(1), secret)).isZero();

    InMemoryReplicaStore store = new InMemoryReplicaStore();
    try (Replica late = Replica.builder().id(ReplicaId.of(0x2000)).store(store)
        .clock(c.net.clock()).scheduler(c.net.scheduler()).build()) {
      assertThat(late.importBundle(copies(bundle))).isPositive();
      assertThat(late.vector()).isEqualTo(c.replica(0).vector());
      assertThat(text(late, "msg")).isNull();
      assertThat(late.objects()).isEmpty();
      assertThat(markers(store, secret)).as("copies in the late replica's store").isZero();
      assertThatThrownBy(() -> putSecret(late, "msg", "again", TTL))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("expired");
    }
  }

  /**
   * A peer whose clock is a day fast (FAULTS.md, Clocks) or a year (goal 11): its timestamps are
   * not adopted, so nobody else expires anything early; the fast replica itself expires by its
   * own clock (and never shows the value).
   */
  @Test
  void peerClockADayAheadExpiresNothingEarlyElsewhere() {
    peerClockAheadExpiresNothingEarlyElsewhere(Duration.ofDays(1));
  }

  @Test
  void peerClockAYearAheadExpiresNothingEarlyElsewhere() {
    peerClockAheadExpiresNothingEarlyElsewhere(Duration.ofDays(366));
  }

  private static void peerClockAheadExpiresNothingEarlyElsewhere(Duration ahead) {
    SimCluster c = new SimCluster(5, 3, SyncMode.BATCH, new long[] {0, 0, ahead.toMillis()});
    String secret = marker(5);
    Duration hour = Duration.ofHours(1);
    putSecret(c.replica(0), "msg", secret, hour);
    for (int i = 0; i < 10; i++) {
      Notes.put(c.replica(2), "contacts", "c" + i, "from the future"); // stamped a day ahead
      c.net.runFor(60_000);
    }
    assertThat(text(c.replica(0), "msg")).isEqualTo(secret);
    assertThat(text(c.replica(1), "msg")).isEqualTo(secret);
    assertThat(text(c.replica(2), "msg")).as("its own clock is past the deadline").isNull();
    assertThat(markers(c.stores.get(2), secret)).isZero();
    assertThat(c.replica(0).metrics().heldForClock()).isPositive();

    assertThat(c.replica(0).expiresAt("msg")).hasValue(SimulatedNetwork.EPOCH_MILLIS
        + hour.toMillis());
    c.net.runFor(hour.toMillis());
    assertThat(text(c.replica(0), "msg")).isNull();
    assertThat(text(c.replica(1), "msg")).isNull();
  }

  /** Compaction folded the value into the snapshot before the deadline; it is purged there too. */
  @Test
  void valueFoldedIntoTheSnapshotIsPurgedAndStaysGoneAfterARestart() {
    SimCluster c = new SimCluster(6, 2, SyncMode.BATCH, new long[2],
        cfg -> cfg.withCompaction(256, 60_000));
    String secret = marker(6);
    putSecret(c.replica(0), "msg", secret, TTL);
    c.settle(30_000);
    c.replica(0).compact();
    assertThat(c.stores.get(0).snapshot().objects()).containsKey("msg");
    assertThat(markers(c.stores.get(0), secret)).isPositive();

    c.net.runFor(TTL.toMillis());
    assertThat(markers(c.stores.get(0), secret)).isZero();
    Replica again = c.restart(0);
    assertThat(text(again, "msg")).isNull();
    assertThat(again.objects()).isEmpty();
    Notes.put(again, "contacts", "ann", "Ann");
    c.settle(60_000);
    c.replica(0).compact();
    assertThat(markers(c.stores.get(0), secret)).isZero();
    c.assertConverged();
  }

  @Test
  void valueThatExpiredWhileTheReplicaWasClosedIsPurgedWhenItOpens() {
    SimCluster c = new SimCluster(8, 2, SyncMode.BATCH);
    String secret = marker(8);
    putSecret(c.replica(0), "msg", secret, TTL);
    c.settle(60_000);
    assertThat(markers(c.stores.get(1), secret)).isPositive();
    c.replica(1).close();
    c.net.runFor(TTL.toMillis());
    Replica again = c.restart(1);
    assertThat(text(again, "msg")).isNull();
    assertThat(again.objects()).isEmpty();
    assertThat(markers(c.stores.get(1), secret)).isZero();
    c.settle(60_000);
    c.assertConverged();
  }

  @Test
  void deadlineNeverMovesLaterAndTheRegistryIsNotTheAppsObject() {
    SimCluster c = new SimCluster(7, 1, SyncMode.BATCH);
    Replica r = c.replica(0);
    putSecret(r, "msg", "first", TTL);
    long deadline = r.expiry.deadline("msg");
    assertThat(deadline).isEqualTo(SimulatedNetwork.EPOCH_MILLIS + TTL.toMillis());
    c.net.runFor(1_000);
    long seq = r.vector().get(r.id());
    putSecret(r, "msg", "second", Duration.ofHours(1));
    assertThat(r.expiry.deadline("msg")).isEqualTo(deadline);
    assertThat(r.vector().get(r.id())).as("the value only; no deadline written").isEqualTo(seq + 1);
    Notes.put(r, "msg", "more", "x"); // a plain write keeps the deadline
    c.net.runFor(TTL.toMillis());
    assertThat(r.objects()).isEmpty();
    assertThatThrownBy(() -> Notes.put(r, "msg", "after", "x"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> putSecret(r, "other", "x", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> r.update(Expiry.OBJECT, OrMap.empty(), (m, w) -> m))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // --- byte scans ---

  static void assertNoCopies(SimCluster c, String secret) {
    for (int i = 0; i < c.stores.size(); i++) {
      assertThat(markers(c.stores.get(i), secret)).as("copies in the store of r%d", i).isZero();
    }
  }

  /** Copies of {@code text} in every payload and snapshot state the store holds. */
  static long markers(ReplicaStore store, String text) {
    long n = 0;
    VersionVector v = store.vector();
    for (int i = 0; i < v.size(); i++) {
      ReplicaId origin = v.replicaAt(i);
      long from = store.snapshot().vector().get(origin) + 1;
      while (from <= v.counterAt(i)) {
        List<DeltaRecord> run = store.readFeed(origin, from, 1024);
        for (DeltaRecord d : run) {
          n += occurrences(ByteBuffer.wrap(d.payload()), text);
        }
        from += run.size();
      }
    }
    for (byte[] state : store.snapshot().objects().values()) {
      n += occurrences(ByteBuffer.wrap(state), text);
    }
    return n;
  }

  static long occurrences(ByteBuffer buf, String text) {
    byte[] hay = new byte[buf.remaining()];
    buf.duplicate().get(hay);
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    long n = 0;
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      n++;
    }
    return n;
  }

  private static List<ByteBuffer> copies(List<ByteBuffer> frames) {
    return frames.stream().map(ByteBuffer::duplicate).toList();
  }
}
