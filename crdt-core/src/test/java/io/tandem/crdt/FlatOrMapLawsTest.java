package io.tandem.crdt;

import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The laws of wide maps of registers again with states packed from their ninth key on, so that
 * merges of packed maps with deltas, with trie maps and with each other, and reads and edits of
 * old versions, are all covered.
 */
class FlatOrMapLawsTest extends WideOrMapLawsTest {

  @RegisterExtension
  static final PackFrom PACK = PackFrom.maps(8);
}
