package io.tandem.replication.spi;

/** Physical time in milliseconds; the simulator supplies a virtual one. */
@FunctionalInterface
public interface WallClock {

  long millis();

  static WallClock system() {
    return System::currentTimeMillis;
  }
}
