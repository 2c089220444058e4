package io.tandem.crdt.codec;

import io.tandem.crdt.Generated;
import io.tandem.crdt.LwwRegister;
import java.util.List;
import org.quicktheories.core.Gen;

/** The codec laws for {@link LwwRegister}: generated histories plus awkward scalars and clocks. */
class LwwRegisterCodecTest extends CodecLaws<LwwRegister<Object>> {

  @Override
  Gen<List<LwwRegister<Object>>> values() {
    return Generated.lwwRegisters().zip(Awkward.lwwRegisters(), Awkward::concat);
  }

  @Override
  LwwRegister<Object> merge(LwwRegister<Object> a, LwwRegister<Object> b) {
    return a.merge(b);
  }
}
