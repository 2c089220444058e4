package io.tandem.demo.notes;

import io.tandem.crdt.Crdt;
import io.tandem.crdt.Hlc;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.MvRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.codec.BinaryCodec;
import java.io.PrintStream;
import java.util.List;

/**
 * Phone, tablet and PC each hold a replica of one note. They edit while apart; then each ships
 * the deltas of its edits to the others, in a different order on each device, and all three end
 * with the same note. This is the README's example, run end to end.
 */
final class OfflineNoteExample {

  private OfflineNoteExample() {}

  /** The three devices' notes after they have exchanged everything. */
  record Outcome(List<OrMap<String, Crdt<?>>> notes) {}

  static Outcome run(PrintStream out) {
    ReplicaId phone = ReplicaId.of(0x1111L);
    ReplicaId tablet = ReplicaId.of(0x2222L);
    ReplicaId pc = ReplicaId.of(0x3333L);
    long now = 1_700_000_000_000L;

    OrMap<String, Crdt<?>> note = OrMap.empty();
    // The phone creates the note while all three are together.
    OrMap<String, Crdt<?>> created = note.update(phone, "title", LwwRegister.<String>empty(),
        t -> t.assign(Hlc.zero(phone).tick(now), "Groceries"));
    note = note.merge(created);

    // Apart: the tablet retitles and tags it; the PC edits the body and tags it too. Each device
    // applies an edit before making the next: a mutator takes its dot from the state it is
    // given, so two deltas made from one state would claim the same dot.
    OrMap<String, Crdt<?>> retitle = note.update(tablet, "title", LwwRegister.<String>empty(),
        t -> t.assign(Hlc.zero(tablet).tick(now + 5_000), "Groceries for Sunday"));
    OrMap<String, Crdt<?>> tagHome = note.merge(retitle).update(tablet, "tags",
        OrSet.<String>empty(), s -> s.add(tablet, "home"));
    OrMap<String, Crdt<?>> body = note.update(pc, "body", MvRegister.<String>empty(),
        b -> b.assign(pc, "milk, eggs, bread"));
    OrMap<String, Crdt<?>> tagFood = note.merge(body).update(pc, "tags", OrSet.<String>empty(),
        s -> s.add(pc, "food"));

    // Back together: each device merges the others' deltas in its own order.
    OrMap<String, Crdt<?>> onPhone = note.merge(tagFood).merge(retitle).merge(body)
        .merge(tagHome);
    OrMap<String, Crdt<?>> onTablet = note.merge(retitle).merge(tagHome).merge(body)
        .merge(tagFood);
    OrMap<String, Crdt<?>> onPc = note.merge(body).merge(tagFood).merge(tagHome)
        .merge(retitle);

    for (var device : List.of(List.of("phone", onPhone), List.of("tablet", onTablet),
        List.of("PC", onPc))) {
      @SuppressWarnings("unchecked")
      OrMap<String, Crdt<?>> n = (OrMap<String, Crdt<?>>) device.get(1);
      out.printf("%-7s title=%-22s body=%-20s tags=%s%n", device.get(0),
          n.get("title", LwwRegister.<String>empty()).value(),
          n.get("body", MvRegister.<String>empty()).values(),
          n.get("tags", OrSet.<String>empty()).elements());
    }
    boolean same = onPhone.equals(onTablet) && onTablet.equals(onPc);
    out.println(same ? "all three devices hold the same note" : "DIVERGED");
    out.printf("a title edit travels as %d bytes; the whole note as %d bytes%n",
        BinaryCodec.encode(retitle).length, BinaryCodec.encode(onPc).length);
    return new Outcome(List.of(onPhone, onTablet, onPc));
  }
}
