package io.tandem.crdt.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.Hlc;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import org.junit.jupiter.api.Test;

/**
 * What the small deltas that dominate sync traffic cost on the wire, printed for the record.
 * The bounds are loose; they catch a regression such as a context that stops staying implicit.
 */
class EncodedSizeTest {

  private static final ReplicaId SELF = ReplicaId.of(0x5f3a9c2e81d04b67L);
  private static final long NOW = 1_700_000_000_000L;

  @Test
  void setAddDeltaIsAFewDozenBytes() {
    OrSet<String> tags = OrSet.empty();
    for (int i = 0; i < 41; i++) {
      tags = tags.merge(tags.add(SELF, "e" + i));
    }
    OrSet<String> delta = tags.add(SELF, "e12345");
    int size = BinaryCodec.encode(delta).length;
    System.out.println("binary size of an OrSet add delta of \"e12345\": " + size + " bytes");
    assertThat(size).isBetween(20, 32);
  }

  @Test
  void mapRegisterUpdateDeltaIsAFewDozenBytes() {
    OrMap<String, LwwRegister<String>> m = OrMap.empty();
    Hlc clock = Hlc.zero(SELF);
    for (int i = 0; i < 100; i++) {
      Hlc now = clock = clock.tick(NOW + i);
      m = m.merge(m.update(SELF, "k" + i, LwwRegister.<String>empty(), r -> r.assign(now, "x")));
    }
    Hlc now = clock.tick(NOW + 1000);
    OrMap<String, LwwRegister<String>> delta =
        m.update(SELF, "k42", LwwRegister.<String>empty(), r -> r.assign(now, "v42"));
    int size = BinaryCodec.encode(delta).length;
    System.out.println("binary size of an OrMap<String, LwwRegister<String>> update delta of"
        + " \"k42\" to \"v42\": " + size + " bytes");
    assertThat(size).isBetween(30, 48);

    OrMap<String, LwwRegister<String>> fresh =
        m.update(SELF, "k420", LwwRegister.<String>empty(), r -> r.assign(now, "v42"));
    System.out.println("  (of a key not yet in the map: " + BinaryCodec.encode(fresh).length
        + " bytes; JSON of the update: " + JsonCodec.encode(delta).length() + " characters)");
  }
}
