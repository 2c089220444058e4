package io.tandem.replication.spi;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the replica's timers (resends, expiry). The simulator supplies one on virtual time, so
 * runs are deterministic and tests never sleep.
 */
public interface Scheduler extends AutoCloseable {

  /** Something scheduled, which can be called off. */
  interface Cancellable {
    void cancel();
  }

  /** Runs {@code task} once, {@code delayMillis} from now. */
  Cancellable schedule(long delayMillis, Runnable task);

  @Override
  default void close() {}

  /** A scheduler on a daemon thread of its own. */
  static Scheduler system(String name) {
    ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
    return new Scheduler() {
      @Override
      public Cancellable schedule(long delayMillis, Runnable task) {
        ScheduledFuture<?> f = exec.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
      }

      @Override
      public void close() {
        exec.shutdownNow();
      }
    };
  }
}
