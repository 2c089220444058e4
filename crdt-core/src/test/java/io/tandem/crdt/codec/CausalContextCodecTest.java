package io.tandem.crdt.codec;

import io.tandem.crdt.CausalContext;
import io.tandem.crdt.Generated;
import java.util.List;
import org.quicktheories.core.Gen;

/**
 * The codec laws for {@link CausalContext}: the contexts of generated maps plus clouds past the
 * vector.
 */
class CausalContextCodecTest extends CodecLaws<CausalContext> {

  @Override
  Gen<List<CausalContext>> values() {
    return Generated.orMaps().map(l -> l.stream().map(m -> m.context()).toList())
        .zip(Awkward.contexts(), Awkward::concat);
  }

  @Override
  CausalContext merge(CausalContext a, CausalContext b) {
    return a.merge(b);
  }
}
