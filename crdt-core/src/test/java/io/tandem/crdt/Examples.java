package io.tandem.crdt;

/** How many examples properties run: 1000 in CI, more on demand with -Dtandem.examples=N. */
final class Examples {

  static final int COUNT = Integer.getInteger("tandem.examples", 1000);

  private Examples() {}
}
