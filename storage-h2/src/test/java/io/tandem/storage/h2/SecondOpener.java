package io.tandem.storage.h2;

import java.nio.file.Path;

/** A second process that tries to open a store and prints what happened, for LockingTest. */
public final class SecondOpener {

  public static void main(String[] args) {
    try (H2ReplicaStore store = H2ReplicaStore.open(Path.of(args[0]))) {
      System.out.println("OPENED " + store.replicaId());
    } catch (RuntimeException e) {
      System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private SecondOpener() {}
}
