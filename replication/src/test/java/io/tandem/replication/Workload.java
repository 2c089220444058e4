package io.tandem.replication;

import io.tandem.crdt.Crdt;
import io.tandem.crdt.GCounter;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.MvRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.PnCounter;
import java.util.SplittableRandom;

/**
 * Random app writes on a few objects of every CRDT kind, including a notes map shaped like the
 * demo's (LWW fields, a tag set and a multi-value body per note) and the contact/draft pair of
 * our documents.
 */
final class Workload {

  private Workload() {}

  /**
   * Schedules 100 to 349 random writes, each by one of replicas {@code 0 .. writers - 1} at a
   * random moment of the next {@code span} ms. The replica is looked up when the write happens,
   * so a replica restarted or wiped meanwhile writes as the one it is then.
   */
  static void schedule(SimCluster c, int writers, long span, SplittableRandom random) {
    int ops = 100 + random.nextInt(250);
    SplittableRandom work = random.split();
    for (int i = 0; i < ops; i++) {
      int at = work.nextInt(writers);
      c.net.scheduler().schedule(work.nextLong(span), () -> write(c.replica(at), work));
    }
  }

  static void write(Replica r, SplittableRandom random) {
    int op = random.nextInt(12);
    String note = "n" + random.nextInt(6);
    switch (op) {
      case 0, 1 -> r.update("notes", OrMap.<String, OrMap<String, Crdt<?>>>empty(),
          (notes, w) -> notes.update(w.replica(), note, OrMap.empty(),
              n -> n.update(w.replica(), "title", LwwRegister.<String>empty(),
                  t -> t.assign(w.hlc(), "t" + random.nextInt(50)))));
      case 2 -> r.update("notes", OrMap.<String, OrMap<String, Crdt<?>>>empty(),
          (notes, w) -> notes.update(w.replica(), note, OrMap.empty(),
              n -> n.update(w.replica(), "tags", OrSet.<String>empty(),
                  t -> t.add(w.replica(), "g" + random.nextInt(4)))));
      case 3 -> r.update("notes", OrMap.<String, OrMap<String, Crdt<?>>>empty(),
          (notes, w) -> notes.update(w.replica(), note, OrMap.empty(),
              n -> n.update(w.replica(), "tags", OrSet.<String>empty(),
                  t -> t.remove("g" + random.nextInt(4)))));
      case 4 -> r.update("notes", OrMap.<String, OrMap<String, Crdt<?>>>empty(),
          (notes, w) -> notes.update(w.replica(), note, OrMap.empty(),
              n -> n.update(w.replica(), "body", MvRegister.<String>empty(),
                  b -> b.assign(w.replica(), "b" + random.nextInt(9)))));
      case 5 -> r.update("notes", OrMap.<String, OrMap<String, Crdt<?>>>empty(),
          (notes, w) -> notes.remove(note));
      case 6 -> r.update("likes", GCounter.empty(),
          (c, w) -> c.increment(w.replica(), 1 + random.nextInt(3)));
      case 7 -> r.update("stock", PnCounter.empty(),
          (c, w) -> c.increment(w.replica(), random.nextInt(7) - 3));
      case 8 -> r.update("pins", OrSet.<String>empty(),
          (s, w) -> s.add(w.replica(), note));
      case 9 -> r.update("pins", OrSet.<String>empty(), (s, w) -> s.remove(note));
      case 10 -> r.update("status", LwwRegister.<String>empty(),
          (s, w) -> s.assign(w.hlc(), "s" + random.nextInt(5)));
      default -> r.update("motd", MvRegister.<String>empty(),
          (m, w) -> m.assign(w.replica(), "m" + random.nextInt(5)));
    }
  }
}
