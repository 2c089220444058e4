package io.tandem.crdt;

import org.quicktheories.core.Gen;

/**
 * The laws again over states much larger than the deltas merged into them, where the causal
 * join puts a small delta's keys into the big side instead of walking both tries.
 */
class WideOrMapLawsTest extends CrdtLaws<OrMap<Integer, LwwRegister<String>>> {

  @Override
  Mutations<OrMap<Integer, LwwRegister<String>>> type() {
    return Mutations.wideOrMap();
  }

  @Override
  Gen<History<OrMap<Integer, LwwRegister<String>>>> histories() {
    return History.of(type(), 3, 150);
  }
}
