package io.tandem.demo.notes;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.Crdt;
import io.tandem.crdt.Hlc;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.codec.BinaryCodec;
import org.junit.jupiter.api.Test;

/** The README's ten lines, exactly as printed there, so the front page never lies. */
class ReadmeExampleTest {

  @Test
  @SuppressWarnings("unchecked")
  void theReadmeExampleRunsAsWritten() throws Exception {
    // --- README begins ---
    ReplicaId phone = ReplicaId.random();
    Hlc clock = Hlc.zero(phone).tick(System.currentTimeMillis());
    OrMap<String, Crdt<?>> note = OrMap.empty();
    OrMap<String, Crdt<?>> delta = note.update(phone, "title", LwwRegister.<String>empty(),
        title -> title.assign(clock, "Groceries"));           // mutators return a delta...
    note = note.merge(delta);                                  // ...that merges into the state
    note = note.merge(note.update(phone, "tags", OrSet.<String>empty(), tags -> tags.add(phone, "home")));
    byte[] wire = BinaryCodec.encode(delta);                   // what travels to the other devices
    OrMap<String, Crdt<?>> onTablet = OrMap.<String, Crdt<?>>empty().merge(BinaryCodec.decode(wire, OrMap.class));
    String title = onTablet.get("title", LwwRegister.<String>empty()).value();   // "Groceries"
    // --- README ends ---
    assertThat(title).isEqualTo("Groceries");
    assertThat(note.get("tags", OrSet.<String>empty()).elements()).containsExactly("home");
  }
}
