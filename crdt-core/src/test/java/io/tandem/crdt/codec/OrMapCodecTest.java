package io.tandem.crdt.codec;

import io.tandem.crdt.Crdt;
import io.tandem.crdt.Generated;
import io.tandem.crdt.OrMap;
import java.util.List;
import org.quicktheories.core.Gen;

/**
 * The codec laws for {@link OrMap}: note-like histories with nested maps and kind clashes, plus
 * awkward keys.
 */
class OrMapCodecTest extends CodecLaws<OrMap<Object, Crdt<?>>> {

  @Override
  Gen<List<OrMap<Object, Crdt<?>>>> values() {
    return Generated.orMaps().zip(Awkward.orMaps(), Awkward::concat);
  }

  @Override
  OrMap<Object, Crdt<?>> merge(OrMap<Object, Crdt<?>> a, OrMap<Object, Crdt<?>> b) {
    return a.merge(b);
  }
}
