package io.tandem.storage.h2;

import static io.tandem.storage.h2.Fixtures.SELF;
import static io.tandem.storage.h2.Fixtures.X;
import static io.tandem.storage.h2.Fixtures.Y;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.spi.StoreException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's {@link Journal}: appends are acknowledged from it, checkpoints move them into the
 * database, and whatever a kill or a hand leaves in it is replayed, cut or refused.
 */
class JournalTest {

  @TempDir
  Path tmp;

  @Test
  void anAppendIsReadBackFromTheJournalBeforeAnyCheckpoint() {
    try (H2ReplicaStore store = H2ReplicaStore.open(tmp)) {
      store.bind(SELF);
      store.append(Fixtures.feed(X, 1, 5));
      store.append(Fixtures.feed(X, 6, 7));

      assertThat(store.checkpoints()).isZero();
      assertThat(store.journaled()).isEqualTo(7);
      assertThat(store.readFeed(X, 3, 10)).isEqualTo(Fixtures.feed(X, 3, 7));
      assertThat(store.vector()).isEqualTo(VersionVector.of(X, 7));
    }
  }

  @Test
  void aFullTailIsCheckpointedIntoTheDatabaseAndTheJournalEmptied() throws Exception {
    int n = H2ReplicaStore.CHECKPOINT_RECORDS;
    try (H2ReplicaStore store = H2ReplicaStore.open(tmp)) {
      store.bind(SELF);
      for (long seq = 1; seq <= n; seq += 8) {
        store.append(Fixtures.feed(X, seq, seq + 7));
      }

      assertThat(store.checkpoints()).isEqualTo(1);
      assertThat(store.journaled()).isZero();
      assertThat(Files.size(Journal.file(tmp))).isZero();
      store.append(Fixtures.feed(X, n + 1, n + 3));
      // One read across the database's rows and the journal's tail.
      assertThat(store.readFeed(X, n - 2, 10)).isEqualTo(Fixtures.feed(X, n - 2, n + 3));
    }
    assertThat(Fixtures.count(tmp, "SELECT MAX(last_seq) FROM feeds")).as("closing checkpoints")
        .isEqualTo(n + 3);
  }

  @Test
  void aRepeatOfARecordStillInTheJournalIsCheckedAgainstIt() {
    try (H2ReplicaStore store = H2ReplicaStore.open(tmp)) {
      store.bind(SELF);
      store.append(Fixtures.feed(X, 1, 3));

      store.append(List.of(Fixtures.record(X, 2))); // the same: ignored
      DeltaRecord other = new DeltaRecord(X, 2, VersionVector.empty(),
          Fixtures.record(X, 2).hlc(), "other", new byte[] {9});
      assertThatThrownBy(() -> store.append(List.of(other)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("other content");
      assertThat(store.readFeed(X, 1, 10)).isEqualTo(Fixtures.feed(X, 1, 3));
    }
  }

  @Test
  void aStoreKilledWithRecordsOnlyInItsJournalOpensWithAllOfThem() throws Exception {
    String acked = killAfterAppending(200);
    assertThat(acked).isEqualTo("acked 200 checkpoints 0");

    try (H2ReplicaStore store = H2ReplicaStore.open(tmp)) {
      assertThat(store.journaled()).as("replayed from the journal").isEqualTo(200);
      assertThat(store.vector()).isEqualTo(VersionVector.of(X, 200));
      store.verify();
      store.append(List.of(Fixtures.record(X, 201))); // and it goes on after them
    }
    try (H2ReplicaStore store = H2ReplicaStore.open(tmp)) {
      assertThat(store.journaled()).as("checkpointed on close").isZero();
      assertThat(store.readFeed(X, 1, 500)).isEqualTo(Fixtures.feed(X, 1, 201));
    }
  }

  @Test
  void aJournalThatLostAcknowledgedEntriesIsRefusedByTheWitness() throws Exception {
    killAfterAppending(50);
    try (FileChannel ch = FileChannel.open(Journal.file(tmp), StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() / 2);
    }

    assertThatThrownBy(() -> H2ReplicaStore.open(tmp))
        .isInstanceOf(StoreCorruptedException.class)
        .hasMessageContaining("lost acknowledged writes");
  }

  @Test
  void aTornEntryAtTheEndIsCutOffAndTheNextAppendFollowsTheWholeOnes() throws Exception {
    closedStoreHolding(3);
    try (Journal j = Journal.open(tmp, "")) {
      j.replay();
      j.append(List.of(Fixtures.feed(X, 4, 6)), false);
    }
    long whole = Files.size(Journal.file(tmp));
    // A write a kill cut short: a header promising more bytes than follow.
    Files.write(Journal.file(tmp), ByteBuffer.allocate(12).putInt(400).putInt(7).array(),
        StandardOpenOption.APPEND);

    try (H2ReplicaStore store = H2ReplicaStore.open(tmp)) {
      assertThat(store.vector()).isEqualTo(VersionVector.of(X, 6));
      assertThat(Files.size(Journal.file(tmp))).as("cut after the whole entries").isEqualTo(whole);
      store.append(List.of(Fixtures.record(X, 7)));
    }
    try (H2ReplicaStore store = H2ReplicaStore.open(tmp)) {
      assertThat(store.readFeed(X, 1, 10)).isEqualTo(Fixtures.feed(X, 1, 7));
    }
  }

  @Test
  void entriesOfRecordsTheDatabaseHoldsAreSkipped() throws Exception {
    closedStoreHolding(5);
    // As if a power cut took back the emptying that followed their checkpoint.
    journalEntries(List.of(Fixtures.feed(X, 1, 5)),
        List.of(Fixtures.feed(X, 4, 7), Fixtures.feed(Y, 1, 2)));

    try (H2ReplicaStore store = H2ReplicaStore.open(tmp)) {
      assertThat(store.journaled()).isEqualTo(4);
      assertThat(store.vector()).isEqualTo(VersionVector.of(X, 7).with(Y, 2));
      assertThat(store.readFeed(X, 1, 10)).isEqualTo(Fixtures.feed(X, 1, 7));
    }
  }

  @Test
  void aPurgeEmptiesAJournalOfRecordsTheDatabaseHoldsToo() throws Exception {
    closedStoreHolding(5);
    // As if a kill came between a checkpoint's commit and the journal's emptying: the journal
    // holds payloads the tail does not, and a purge must not leave them in the file.
    journalEntries(List.of(Fixtures.feed(X, 1, 5)));

    try (H2ReplicaStore store = H2ReplicaStore.open(tmp)) {
      assertThat(store.journaled()).isZero();
      assertThat(Files.size(Journal.file(tmp))).isPositive();
      store.purge("counter-1", p -> p);
      assertThat(Files.size(Journal.file(tmp))).as("the journal after the purge").isZero();
      assertThat(store.readFeed(X, 1, 10)).isEqualTo(Fixtures.feed(X, 1, 5));
    }
  }

  @Test
  void zeroedSpaceAfterTheWholeEntriesIsCutOffLikeATornEntry() throws Exception {
    closedStoreHolding(3);
    journalEntries(List.of(Fixtures.feed(X, 4, 6)));
    long whole = Files.size(Journal.file(tmp));
    // What a crash can leave past the last write: space the file system gave out but never
    // filled. Zeros read as an empty entry whose checksum matches; no entry is ever empty.
    Files.write(Journal.file(tmp), new byte[4096], StandardOpenOption.APPEND);

    try (H2ReplicaStore store = H2ReplicaStore.open(tmp)) {
      assertThat(store.vector()).isEqualTo(VersionVector.of(X, 6));
      assertThat(Files.size(Journal.file(tmp))).as("cut after the whole entries").isEqualTo(whole);
    }
  }

  @Test
  void aJournalRunLeavingAGapInItsFeedIsRefused() throws Exception {
    closedStoreHolding(5);
    journalEntries(List.of(Fixtures.feed(X, 8, 9)));

    assertThatThrownBy(() -> H2ReplicaStore.open(tmp))
        .isInstanceOf(StoreCorruptedException.class)
        .hasMessageContaining("seq 8").hasMessageContaining("ends that feed at 5");
  }

  @Test
  void aWholeEntryHoldingARunThatDoesNotDecodeIsRefused() throws Exception {
    closedStoreHolding(1);
    byte[] row = RowCodec.encodeRun(Fixtures.feed(X, 2, 3));
    row[row.length / 2] ^= 0x40; // the row's own checksum fails, the entry's holds
    ByteBuffer body = ByteBuffer.allocate(4 + row.length).putInt(row.length).put(row);
    CRC32C crc = new CRC32C();
    crc.update(body.array());
    Files.write(Journal.file(tmp), ByteBuffer.allocate(8 + body.capacity())
        .putInt(body.capacity()).putInt((int) crc.getValue()).put(body.array()).array());

    assertThatThrownBy(() -> H2ReplicaStore.open(tmp))
        .isInstanceOf(StoreCorruptedException.class).hasMessageContaining("journal");
  }

  @Test
  void quarantineTakesTheJournalAsideAndTheNewStoreStartsWithoutIt() throws Exception {
    closedStoreHolding(2);
    journalEntries(List.of(Fixtures.feed(X, 3, 4)));

    Path aside = H2ReplicaStore.quarantine(tmp).orElseThrow();

    assertThat(Files.exists(Journal.file(tmp))).isFalse();
    assertThat(tmp.resolve(aside.getFileName().toString().replace(".mv.db", Journal.SUFFIX)))
        .exists();
    try (H2ReplicaStore store = H2ReplicaStore.open(tmp)) {
      assertThat(store.vector()).isEqualTo(VersionVector.empty());
      assertThat(store.replicaId()).isEmpty();
    }
  }

  @Test
  void aJournalMissingAcknowledgedRecordsIsKeptWholeForQuarantine() throws Exception {
    killAfterAppending(50);
    Path file = Journal.file(tmp);
    byte[] written = Files.readAllBytes(file);
    byte[] damaged = written.clone();
    damaged[12] ^= 0x01; // in the first entry's body: its checksum fails, all after it unread
    Files.write(file, damaged);

    assertThatThrownBy(() -> H2ReplicaStore.open(tmp))
        .isInstanceOf(StoreCorruptedException.class)
        .hasMessageContaining("lost acknowledged writes");

    assertThat(Files.readAllBytes(file)).as("the journal after the refused open")
        .isEqualTo(damaged);
    Path aside = H2ReplicaStore.quarantine(tmp).orElseThrow();
    assertThat(Files.readAllBytes(tmp.resolve(aside.getFileName().toString()
        .replace(".mv.db", Journal.SUFFIX)))).isEqualTo(damaged);
  }

  @Test
  void checkpointsThatKeepFailingStopTheJournalAtItsBoundAndLoseNothingAcknowledged() {
    Path dir = tmp.resolve("s");
    int group = 256;
    long acked = 0;
    StoreException refused = null;
    H2ReplicaStore store = H2ReplicaStore.open(dir, Durability.PROCESS_CRASH_SAFE,
        FullDisk.VIA);
    try {
      store.bind(SELF);
      // The database's file alone refuses writes: each checkpoint fails, the journal writes on.
      FullDisk.DISK.fillUpAfter(0, f -> f.getFileName().toString().endsWith(".mv.db"));
      while (refused == null && acked <= 2 * H2ReplicaStore.MAX_TAIL_RECORDS) {
        try {
          store.append(Fixtures.feed(X, acked + 1, acked + group));
          acked += group;
        } catch (StoreException e) {
          refused = e;
        }
      }
      assertThat(FullDisk.DISK.refused()).as("database writes refused")
          .isPositive();
      assertThat(store.checkpoints()).isZero();
      assertThat(refused).as("an append refused").isNotNull()
          .hasMessageContaining("refuses appends");
      assertThat(acked).isBetween((long) H2ReplicaStore.MAX_TAIL_RECORDS,
          (long) H2ReplicaStore.MAX_TAIL_RECORDS + group);
      long before = acked;
      long failed = store.failedCheckpoints();
      assertThat(failed).as("a try every %d records", H2ReplicaStore.CHECKPOINT_RECORDS)
          .isBetween(1L, 2L * H2ReplicaStore.MAX_TAIL_RECORDS / H2ReplicaStore.CHECKPOINT_RECORDS);
      for (int i = 0; i < 20; i++) {
        assertThatThrownBy(() -> store.append(Fixtures.feed(X, before + 1, before + 1)))
            .isInstanceOf(StoreException.class).hasMessageContaining("refuses appends");
      }
      // Not a try per refused group: each writes the whole tail under the store's lock.
      assertThat(store.failedCheckpoints() - failed).as("tries while refusing").isLessThan(2);
    } finally {
      FullDisk.DISK.makeRoom();
      try {
        store.close();
      } catch (StoreException ignored) {
        // closing checkpoints into the database that failed; the journal holds every record
      }
    }

    try (H2ReplicaStore again = H2ReplicaStore.open(dir)) {
      assertThat(again.vector()).isEqualTo(VersionVector.of(X, acked));
      assertThat(again.readFeed(X, 1, (int) acked + 10)).isEqualTo(Fixtures.feed(X, 1, acked));
    }
  }

  /** Whatever the groups and wherever the file is cut, a replay gives back the whole entries. */
  @Test
  void aReplayGivesBackExactlyTheEntriesWrittenWholeBeforeACut() {
    qt().withExamples(40).forAll(lists().of(integers().between(1, 40)).ofSizeBetween(1, 12),
        integers().between(0, 1_000_000)).checkAssert((groups, cutSeed) -> {
          try {
            Path dir = Files.createTempDirectory(tmp, "j");
            List<List<DeltaRecord>> written = new ArrayList<>();
            List<Long> ends = new ArrayList<>();
            try (Journal j = Journal.open(dir, "")) {
              long seq = 1;
              for (int size : groups) {
                List<DeltaRecord> xs = Fixtures.feed(X, seq, seq + size - 1);
                List<DeltaRecord> ys = Fixtures.feed(Y, ends.size() + 1, ends.size() + 1);
                seq += size;
                j.append(List.of(xs, ys), false);
                written.add(xs);
                written.add(ys);
                ends.add(j.size());
              }
            }
            long cut = cutSeed % (Files.size(Journal.file(dir)) + 1);
            try (FileChannel ch = FileChannel.open(Journal.file(dir), StandardOpenOption.WRITE)) {
              ch.truncate(cut);
            }
            int whole = (int) ends.stream().filter(e -> e <= cut).count();
            try (Journal j = Journal.open(dir, "")) {
              assertThat(j.replay()).isEqualTo(written.subList(0, 2 * whole));
              assertThat(j.size()).isEqualTo(whole == 0 ? 0 : ends.get(whole - 1));
            }
          } catch (java.io.IOException e) {
            throw new AssertionError(e);
          }
        });
  }

  /** Appends one journal entry per argument, each of its runs, to the journal in {@link #tmp}. */
  @SafeVarargs
  private void journalEntries(List<List<DeltaRecord>>... entries) throws java.io.IOException {
    try (Journal j = Journal.open(tmp, "")) {
      j.replay();
      for (List<List<DeltaRecord>> entry : entries) {
        j.append(entry, false);
      }
    }
  }

  /** A store in {@link #tmp}, closed cleanly, holding records 1..n of X. */
  private void closedStoreHolding(int n) {
    try (H2ReplicaStore store = H2ReplicaStore.open(tmp)) {
      store.bind(SELF);
      store.append(Fixtures.feed(X, 1, n));
    }
  }

  /** Runs {@link JournalWriter} on {@link #tmp} and kills it with SIGKILL once it acked. */
  private String killAfterAppending(int n) throws Exception {
    Process p = ChildJvm.start(JournalWriter.class, tmp.resolve("writer.stderr"),
        tmp.toString(), Integer.toString(n));
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
          StandardCharsets.UTF_8));
      String line = CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (java.io.IOException e) {
          throw new IllegalStateException(e);
        }
      }).get(60, TimeUnit.SECONDS);
      assertThat(line).as("the writer's report").isNotNull();
      return line;
    } finally {
      p.destroyForcibly(); // SIGKILL on Linux: no shutdown hook closes the store
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }
}
