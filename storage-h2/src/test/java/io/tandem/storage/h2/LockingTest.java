package io.tandem.storage.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One process owns a store at a time, and whoever comes second is told so clearly. */
class LockingTest {

  @TempDir
  Path tmp;

  @Test
  void secondHandleInTheSameProcessIsRefused() {
    Path dir = tmp.resolve("store");
    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      store.bind(Fixtures.SELF);
      // H2 would share the open database with a second embedded connection; the store won't.
      assertThatThrownBy(() -> H2ReplicaStore.open(dir))
          .isInstanceOf(StoreLockedException.class)
          .hasMessageContaining("already open in this process");
      assertThatThrownBy(() -> H2ReplicaStore.open(tmp.resolve("store/../store")))
          .as("the same directory by another path").isInstanceOf(StoreLockedException.class);
    }
    try (H2ReplicaStore again = H2ReplicaStore.open(dir)) {
      assertThat(again.replicaId()).contains(Fixtures.SELF);
    }
  }

  @Test
  void secondProcessGetsAClearErrorNotACorruptedFile() throws Exception {
    Path dir = tmp.resolve("store");
    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      store.bind(Fixtures.SELF);
      store.append(Fixtures.feed(Fixtures.X, 1, 3));

      String answer = runSecondOpener(dir);

      assertThat(answer).startsWith("StoreLockedException: store ")
          .contains("is in use by another process");
      // The owner carries on undisturbed.
      store.append(Fixtures.feed(Fixtures.X, 4, 5));
    }
    assertThat(runSecondOpener(dir)).as("once the owner closed it")
        .isEqualTo("OPENED Optional[" + Fixtures.SELF + "]");
    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      assertThat(store.readFeed(Fixtures.X, 1, 10)).isEqualTo(Fixtures.feed(Fixtures.X, 1, 5));
    }
  }

  @Test
  void anOpenStoreCannotBeQuarantined() {
    Path dir = tmp.resolve("store");
    try (H2ReplicaStore store = H2ReplicaStore.open(dir)) {
      assertThatThrownBy(() -> H2ReplicaStore.quarantine(dir))
          .isInstanceOf(StoreLockedException.class);
      assertThat(store.replicaId()).isEmpty();
    }
  }

  private String runSecondOpener(Path dir) throws IOException, InterruptedException {
    Process p = ChildJvm.start(SecondOpener.class, tmp.resolve("opener.err"), dir.toString());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
  }
}
