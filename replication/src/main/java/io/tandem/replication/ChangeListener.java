package io.tandem.replication;

/** Told of every delta the replica applies, local or remote, after it is stored. */
@FunctionalInterface
public interface ChangeListener {

  void changed(Change change);
}
