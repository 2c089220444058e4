package io.tandem.replication;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Tells a replica's listeners what changed and the callers of its own writes how they ended.
 * The laws: listeners hear every change once, one thread at a time, in publication order; the
 * callers of own writes are told after the listeners heard of them. Changes and calls are queued
 * under the replica's lock, as they are published; telling runs outside it, so a listener may
 * call the replica.
 */
final class Firing {

  private static final System.Logger LOG = System.getLogger(Firing.class.getName());

  /** A fetched snapshot installed, as listeners hear of it. */
  record Installed(VersionVector before, VersionVector after, Set<String> objects) {}

  private final ReentrantLock lock;
  private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
  /** Changes published and not yet told to listeners, in publication order. */
  private final ArrayDeque<Change> unfired = new ArrayDeque<>();
  /** Own writes settled and not yet told to their callers, told after the listeners. */
  private final ArrayDeque<Runnable> untold = new ArrayDeque<>();
  /** Snapshots installed and not yet told to listeners. */
  private final List<Installed> installed = new ArrayList<>();
  /** Whether a thread is telling listeners: one at a time, so they hear one order. */
  private boolean firing;

  /** @param lock the replica's lock, which guards the queues */
  Firing(ReentrantLock lock) {
    this.lock = lock;
  }

  void addListener(ChangeListener listener) {
    listeners.add(listener);
  }

  void removeListener(ChangeListener listener) {
    listeners.remove(listener);
  }

  /** Queues {@code c}, just published. Under the lock. */
  void changed(Change c) {
    unfired.add(c);
  }

  /** Queues {@code changes}, just published, in order. Under the lock. */
  void changed(List<Change> changes) {
    unfired.addAll(changes);
  }

  /**
   * Queues telling an own write's caller, or the ephemeral listeners of a message received,
   * after the change listeners. Under the lock.
   */
  void tell(Runnable caller) {
    untold.add(caller);
  }

  /**
   * Queues telling listeners that {@code object} expired, after the changes queued before it.
   * Under the lock.
   */
  void expired(String object) {
    untold.add(() -> {
      for (ChangeListener l : listeners) {
        try {
          l.expired(object);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "change listener failed", e);
        }
      }
    });
  }

  /** Queues telling listeners that the replica moved to a new id. Under the lock. */
  void moved(ReplicaId retired, ReplicaId current) {
    untold.add(() -> {
      for (ChangeListener l : listeners) {
        try {
          l.moved(retired, current);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "change listener failed", e);
        }
      }
    });
  }

  /** Queues a snapshot installed. Under the lock. */
  void installed(Installed e) {
    installed.add(e);
  }

  /** The snapshots installed and not told yet, taken out. Under the lock. */
  List<Installed> takeInstalled() {
    List<Installed> out = new ArrayList<>(installed);
    installed.clear();
    return out;
  }

  /** Tells listeners of {@code snapshots}. Outside the lock. */
  void fireInstalled(List<Installed> snapshots) {
    for (Installed e : snapshots) {
      for (ChangeListener l : listeners) {
        try {
          l.snapshotInstalled(e.before(), e.after(), e.objects());
        } catch (RuntimeException ex) {
          LOG.log(Level.WARNING, "change listener failed", ex);
        }
      }
    }
  }

  /**
   * Tells listeners the changes published so far, then the callers of the own writes settled,
   * unless another thread is at it (it then tells these too). Outside the lock.
   */
  void fireUnfired() {
    lock.lock();
    try {
      if (firing || unfired.isEmpty() && untold.isEmpty()) {
        return;
      }
      firing = true;
    } finally {
      lock.unlock();
    }
    boolean done = false;
    try {
      while (!done) {
        List<Change> batch;
        List<Runnable> tell;
        lock.lock();
        try {
          batch = new ArrayList<>(unfired);
          unfired.clear();
          tell = new ArrayList<>(untold);
          untold.clear();
          done = batch.isEmpty() && tell.isEmpty();
          if (done) {
            firing = false;
          }
        } finally {
          lock.unlock();
        }
        fire(batch);
        tell.forEach(Runnable::run);
      }
    } finally {
      if (!done) {
        lock.lock();
        try {
          firing = false;
        } finally {
          lock.unlock();
        }
      }
    }
  }

  private void fire(List<Change> changes) {
    for (Change c : changes) {
      for (ChangeListener l : listeners) {
        try {
          l.changed(c);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "change listener failed", e);
        }
      }
    }
  }
}
