package io.tandem.crdt;

class OrMapLawsTest extends CrdtLaws<OrMap<String, Crdt<?>>> {

  @Override
  Mutations<OrMap<String, Crdt<?>>> type() {
    return Mutations.orMap();
  }
}
