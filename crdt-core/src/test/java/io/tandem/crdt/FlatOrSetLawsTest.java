package io.tandem.crdt;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The laws of wide sets again with states packed from their ninth element on, so that merges of
 * packed states with deltas, with trie states and with each other, and reads and edits of old
 * versions, are all covered.
 */
class FlatOrSetLawsTest extends WideOrSetLawsTest {

  private static int packAt;

  @BeforeAll
  static void packEarly() {
    packAt = OrSet.packAt;
    OrSet.packAt = 8;
  }

  @AfterAll
  static void packAsBefore() {
    OrSet.packAt = packAt;
  }
}
