package io.tandem.crdt;

class PnCounterLawsTest extends CrdtLaws<PnCounter> {

  @Override
  Mutations<PnCounter> type() {
    return Mutations.pnCounter();
  }
}
