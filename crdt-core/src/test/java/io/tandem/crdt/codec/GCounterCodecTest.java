package io.tandem.crdt.codec;

import io.tandem.crdt.GCounter;
import io.tandem.crdt.Generated;
import java.util.List;
import org.quicktheories.core.Gen;

/** The codec laws for {@link GCounter}: generated histories plus huge counts. */
class GCounterCodecTest extends CodecLaws<GCounter> {

  @Override
  Gen<List<GCounter>> values() {
    return Generated.gCounters().zip(Awkward.gCounters(), Awkward::concat);
  }

  @Override
  GCounter merge(GCounter a, GCounter b) {
    return a.merge(b);
  }
}
