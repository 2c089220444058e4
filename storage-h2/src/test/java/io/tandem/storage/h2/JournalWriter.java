package io.tandem.storage.h2;

import java.nio.file.Path;
import java.util.List;

/**
 * The process {@link JournalTest} kills: opens the store in {@code args[0]}, appends records 1 to
 * {@code args[1]} of {@link Fixtures#X}, one group each (fewer than a checkpoint takes, so they
 * are acknowledged from the journal alone), prints {@code acked <n>} and blocks on its input
 * until killed.
 */
public final class JournalWriter {

  public static void main(String[] args) throws Exception {
    H2ReplicaStore store = H2ReplicaStore.open(Path.of(args[0]));
    store.bind(Fixtures.SELF);
    int n = Integer.parseInt(args[1]);
    for (long seq = 1; seq <= n; seq++) {
      store.append(List.of(Fixtures.record(Fixtures.X, seq)));
    }
    System.out.println("acked " + n + " checkpoints " + store.checkpoints());
    System.out.flush();
    System.in.read(); // the parent kills this process; it never writes to it
  }

  private JournalWriter() {}
}
