package io.tandem.storage.h2;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: H2 2.5.252, failing to open a file damaged in its newest chunk (error 90030), left
 * the file's channel open, and with it the file lock, until a garbage collection. The process
 * then took its own damaged store for one "in use by another process": the next open said
 * locked instead of damaged, and {@link H2ReplicaStore#quarantine} refused to move the file
 * aside. Found by {@link DamageTest}'s flips; fixed by opening through {@link ChannelGuard}.
 */
class FailedOpenReleasesTheFileTest {

  @TempDir
  Path tmp;

  @Test
  void damagedNewestChunkIsReportedAgainAndAgainAndCanBeMovedAside() throws Exception {
    Path dir = tmp.resolve("store");
    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      store.bind(Fixtures.SELF);
      for (int i = 0; i < 150; i++) {
        store.append(Fixtures.feed(Fixtures.X, i * 4L + 1, i * 4L + 4));
        store.append(Fixtures.feed(Fixtures.Y, i + 1L, i + 1L));
      }
    }
    Path file = H2ReplicaStore.databaseFile(dir);
    byte[] good = Files.readAllBytes(file);
    int damaged = 0;
    // Damage the first kilobyte of every chunk (blocks of 4096 bytes that start "chunk:"),
    // where H2 keeps the pages it reads while opening.
    for (int block = 2; block * 4096 < good.length; block++) {
      if (!new String(good, block * 4096, 6, StandardCharsets.ISO_8859_1).equals("chunk:")) {
        continue;
      }
      for (int at = block * 4096 + 256; at <= block * 4096 + 1024; at += 256) {
        byte[] b = good.clone();
        for (int j = 0; j < 8; j++) {
          b[at + j] ^= 0x5a;
        }
        Files.write(file, b); // the same file (inode), which a leaked lock would still hold
        try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
          store.verify();
          continue; // hit nothing live
        } catch (StoreCorruptedException expected) {
          damaged++;
        }
        // Opened again, the file is reported damaged again, not "in use" (the leaked lock). H2
        // finds some of these flips only on some opens of the same bytes (it reads lazily), so
        // the second open may also get through, and then verify says what it finds.
        try (H2ReplicaStore again = H2ReplicaStore.open(dir)) {
          again.verify();
        } catch (StoreCorruptedException expectedAgain) {
          // the same damage, reported the same way
        }
      }
    }
    assertThat(damaged).as("flips H2 reported").isPositive();

    assertThat(H2ReplicaStore.quarantine(dir)).isPresent();
    try (H2ReplicaStore fresh = H2ReplicaStore.open(dir)) {
      assertThat(fresh.replicaId()).isEmpty();
    }
  }
}
