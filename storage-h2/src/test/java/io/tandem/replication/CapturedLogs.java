package io.tandem.replication;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Everything any logger says while it is open, at every level, formatted as a log file would
 * hold it (message, parameters and stack trace). {@code System.Logger} goes to
 * java.util.logging here, so the root logger's handler sees every line of ours and of H2's;
 * the root level is opened to {@code ALL} so that debug lines are built too, and restored.
 */
final class CapturedLogs extends Handler implements AutoCloseable {

  private final Logger root = Logger.getLogger("");
  private final Level rootLevel = root.getLevel();
  private final SimpleFormatter formatter = new SimpleFormatter();
  private final List<String> lines = new ArrayList<>();
  private int debugLines;

  CapturedLogs() {
    setLevel(Level.ALL);
    root.setLevel(Level.ALL);
    root.addHandler(this);
  }

  @Override
  public synchronized void publish(LogRecord record) {
    lines.add(formatter.format(record));
    if (record.getLevel().intValue() < Level.INFO.intValue()) {
      debugLines++;
    }
  }

  /** Lines below {@code INFO}: those a default configuration would not even build. */
  synchronized int debugLines() {
    return debugLines;
  }

  synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  /** Copies of {@code text} in all that was logged. */
  synchronized long occurrences(String text) {
    long n = 0;
    for (String line : lines) {
      for (int at = line.indexOf(text); at >= 0; at = line.indexOf(text, at + 1)) {
        n++;
      }
    }
    return n;
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    root.removeHandler(this);
    root.setLevel(rootLevel);
  }
}
