package io.tandem.crdt;

import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The laws of maps of every kind of value, clashes of kinds under one key included, again with
 * states packed from their third key on: the slots a packed map cannot hold as a register (sets,
 * counters, nested maps, clashes, concurrent writes) sit beside the packed ones.
 */
class FlatMixedOrMapLawsTest extends OrMapLawsTest {

  @RegisterExtension
  static final PackFrom PACK = PackFrom.maps(2);
}
