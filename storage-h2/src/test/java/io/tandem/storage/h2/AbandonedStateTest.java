package io.tandem.storage.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process-crash-safe store whose file lost, in a power cut, commits that later commits built
 * on: what its first open shows is what every later open shows.
 *
 * <p>The file in the resources {@code abandoned-timeline} is one such store, kept from a failing
 * run of {@link PowerCutTest} (cut 82 of seed 64234511226254): the disk after the cut, with its
 * witness of 528 acknowledged records. H2 read 528 records from it, the check passed, and after a
 * clean close it opened with 388 and was refused. Its header names chunk 0x27 while chunks of two
 * lines of versions lie in the file.
 */
class AbandonedStateTest {

  @TempDir
  Path tmp;

  @Test
  void storeThatCameBackAtAnAbandonedStateIsRefusedAtItsFirstOpenNotAfterItsCheckPassed()
      throws Exception {
    Path dir = unpack();

    // H2 keeps 388 records of it; the witness says 528 were acknowledged.
    for (int open = 0; open < 3; open++) {
      assertThatThrownBy(() -> H2ReplicaStore.open(dir, Durability.PROCESS_CRASH_SAFE).close())
          .as("open %d", open)
          .isInstanceOf(StoreCorruptedException.class)
          .hasMessageContaining("holds 388 records, 528 were acknowledged");
    }
  }

  @Test
  void withoutItsWitnessTheStoreOpensAtTheStateItKeepsAtEveryOpen() throws Exception {
    Path dir = unpack();
    Files.delete(Witness.file(dir)); // a missing witness proves nothing: the store opens

    long first;
    try (H2ReplicaStore store = H2ReplicaStore.open(dir, Durability.PROCESS_CRASH_SAFE)) {
      store.verify();
      first = store.vector().total();
    }
    assertThat(first).as("the state H2 keeps, not the abandoned one it can read").isEqualTo(388);
    for (int open = 1; open < 3; open++) {
      try (H2ReplicaStore store = H2ReplicaStore.open(dir, Durability.PROCESS_CRASH_SAFE)) {
        store.verify();
        assertThat(store.vector().total()).as("open %d", open).isEqualTo(first);
      }
    }
  }

  private Path unpack() throws IOException {
    Path dir = tmp.resolve("store");
    Files.createDirectories(dir);
    try (InputStream in = new GZIPInputStream(resource("tandem.mv.db.gz"))) {
      Files.copy(in, H2ReplicaStore.databaseFile(dir));
    }
    try (InputStream in = resource("tandem.witness")) {
      Files.copy(in, Witness.file(dir));
    }
    return dir;
  }

  private static InputStream resource(String name) {
    InputStream in = AbandonedStateTest.class.getResourceAsStream("/abandoned-timeline/" + name);
    assertThat(in).as(name).isNotNull();
    return in;
  }
}
