package io.tandem.crdt;

import org.quicktheories.core.Gen;

/**
 * The laws again over states much larger than the deltas merged into them, where the causal
 * join puts a small delta's keys into the big side instead of walking both tries.
 */
class WideOrSetLawsTest extends CrdtLaws<OrSet<Integer>> {

  @Override
  Mutations<OrSet<Integer>> type() {
    return Mutations.wideOrSet();
  }

  @Override
  Gen<History<OrSet<Integer>>> histories() {
    return History.of(type(), 3, 150);
  }
}
