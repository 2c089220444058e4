package io.tandem.crdt;

class OrSetLawsTest extends CrdtLaws<OrSet<Integer>> {

  @Override
  Mutations<OrSet<Integer>> type() {
    return Mutations.orSet();
  }
}
