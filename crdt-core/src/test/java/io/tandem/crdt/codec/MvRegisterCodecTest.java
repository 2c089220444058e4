package io.tandem.crdt.codec;

import io.tandem.crdt.Generated;
import io.tandem.crdt.MvRegister;
import java.util.List;
import org.quicktheories.core.Gen;

/** The codec laws for {@link MvRegister}: generated histories plus awkward scalars. */
class MvRegisterCodecTest extends CodecLaws<MvRegister<Object>> {

  @Override
  Gen<List<MvRegister<Object>>> values() {
    return Generated.mvRegisters().zip(Awkward.mvRegisters(), Awkward::concat);
  }

  @Override
  MvRegister<Object> merge(MvRegister<Object> a, MvRegister<Object> b) {
    return a.merge(b);
  }
}
