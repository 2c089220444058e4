package io.tandem.crdt;

class MvRegisterLawsTest extends CrdtLaws<MvRegister<String>> {

  @Override
  Mutations<MvRegister<String>> type() {
    return Mutations.mvRegister();
  }
}
