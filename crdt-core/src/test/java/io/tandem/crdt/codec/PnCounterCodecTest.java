package io.tandem.crdt.codec;

import io.tandem.crdt.Generated;
import io.tandem.crdt.PnCounter;
import java.util.List;
import org.quicktheories.core.Gen;

/** The codec laws for {@link PnCounter}: generated histories plus huge counts. */
class PnCounterCodecTest extends CodecLaws<PnCounter> {

  @Override
  Gen<List<PnCounter>> values() {
    return Generated.pnCounters().zip(Awkward.pnCounters(), Awkward::concat);
  }

  @Override
  PnCounter merge(PnCounter a, PnCounter b) {
    return a.merge(b);
  }
}
