package io.tandem.crdt;

class GCounterLawsTest extends CrdtLaws<GCounter> {

  @Override
  Mutations<GCounter> type() {
    return Mutations.gCounter();
  }
}
