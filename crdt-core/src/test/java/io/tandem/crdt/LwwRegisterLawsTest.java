package io.tandem.crdt;

class LwwRegisterLawsTest extends CrdtLaws<LwwRegister<String>> {

  @Override
  Mutations<LwwRegister<String>> type() {
    return Mutations.lwwRegister();
  }
}
