package io.tandem.crdt.codec;

import io.tandem.crdt.Generated;
import io.tandem.crdt.VersionVector;
import java.util.List;
import org.quicktheories.core.Gen;

/**
 * The codec laws for {@link VersionVector}: the vectors of generated sets plus random replica ids.
 */
class VersionVectorCodecTest extends CodecLaws<VersionVector> {

  @Override
  Gen<List<VersionVector>> values() {
    return Generated.orSets().map(l -> l.stream().map(s -> s.context().vector()).toList())
        .zip(Awkward.vectors(), Awkward::concat);
  }

  @Override
  VersionVector merge(VersionVector a, VersionVector b) {
    return a.merge(b);
  }
}
