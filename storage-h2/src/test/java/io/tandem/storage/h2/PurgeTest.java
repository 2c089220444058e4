package io.tandem.storage.h2;

import static io.tandem.storage.h2.Fixtures.X;
import static io.tandem.storage.h2.Fixtures.Y;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.Hlc;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.spi.Snapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A purged value is gone from the feeds, the snapshot and the bytes of the file (FAULTS.md:
 * a 32-byte random marker occurs zero times after purge and compaction), while the records
 * stay where causality needs them.
 */
class PurgeTest {

  private static final byte[] MARKER = new byte[32];
  private static final byte[] GONE = {0};

  static {
    new Random(32).nextBytes(MARKER);
  }

  @TempDir
  Path tmp;

  @Test
  void purgedValueLeavesNoByteInTheFileAndTheRecordsKeepTheirPlaces() throws Exception {
    Path dir = tmp.resolve("store");
    List<DeltaRecord> xs = new ArrayList<>();
    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      for (long seq = 1; seq <= 60; seq++) { // one journal entry each
        DeltaRecord r = seq % 10 == 0 ? secret(X, seq) : Fixtures.record(X, seq);
        xs.add(r);
        store.append(List.of(r, Fixtures.record(Y, seq)));
      }
      store.saveSnapshot(new Snapshot(VersionVector.of(X, 25), Map.of("secret", MARKER,
          "other", new byte[] {1, 2})));
      assertThat(markers(dir)).as("before the purge").isPositive();

      int purged = store.purge("secret", p -> contains(p, MARKER) ? GONE : p);

      // Records 10 and 20 too: the snapshot covers them, but the saving checkpointed the journal
      // into one row per feed, 1..60, which straddles the snapshot and so stays, with them in it.
      assertThat(purged).as("records 10 to 60 and the snapshot's state").isEqualTo(7);
      List<DeltaRecord> after = store.readFeed(X, 26, 100);
      for (int i = 0; i < after.size(); i++) {
        DeltaRecord was = xs.get(25 + i);
        DeltaRecord now = after.get(i);
        assertThat(now.seq()).isEqualTo(was.seq());
        assertThat(now.deps()).isEqualTo(was.deps());
        assertThat(now.hlc()).isEqualTo(was.hlc());
        assertThat(now.object()).isEqualTo(was.object());
        assertThat(now.payload()).isEqualTo(was.object().equals("secret") ? GONE
            : was.payload());
      }
      assertThat(store.snapshot().objects().get("secret")).isEqualTo(GONE);
      assertThat(store.snapshot().objects().get("other")).containsExactly(1, 2);
      assertThat(store.purge("secret", p -> contains(p, MARKER) ? GONE : p))
          .as("nothing left to purge").isZero();
      store.append(List.of(Fixtures.record(X, 61))); // and the store goes on
    }
    assertThat(markers(dir)).as("marker copies in the store's files").isZero();

    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      store.verify();
      assertThat(store.vector()).isEqualTo(VersionVector.of(X, 61).with(Y, 60));
    }
  }

  private static DeltaRecord secret(ReplicaId origin, long seq) {
    byte[] payload = new byte[40];
    System.arraycopy(MARKER, 0, payload, 4, MARKER.length);
    return new DeltaRecord(origin, seq, VersionVector.empty(), new Hlc(seq, 0, origin),
        "secret", payload);
  }

  /** Copies of the marker in every file of the store's directory. */
  private static long markers(Path dir) throws Exception {
    long n = 0;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        byte[] b = Files.readAllBytes(f);
        for (int i = 0; i + MARKER.length <= b.length; i++) {
          if (matchesAt(b, i, MARKER)) {
            n++;
          }
        }
      }
    }
    return n;
  }

  private static boolean contains(byte[] hay, byte[] needle) {
    for (int i = 0; i + needle.length <= hay.length; i++) {
      if (matchesAt(hay, i, needle)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matchesAt(byte[] hay, int at, byte[] needle) {
    for (int j = 0; j < needle.length; j++) {
      if (hay[at + j] != needle[j]) {
        return false;
      }
    }
    return true;
  }
}
