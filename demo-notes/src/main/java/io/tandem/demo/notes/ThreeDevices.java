package io.tandem.demo.notes;

import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.PeerStatus;
import io.tandem.replication.Replica;
import io.tandem.replication.Write;
import io.tandem.replication.memory.InMemoryNetwork;
import io.tandem.replication.memory.InMemoryReplicaStore;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Phone, tablet and PC as three replicas in one process, on an in-process network, built only on
 * the public API. It tells the stories from our documents: a draft never shows before the
 * contact it is addressed to; a device edits offline and converges when it comes back; a
 * delivery receipt says when a note is safe on the PC.
 */
final class ThreeDevices implements AutoCloseable {

  static final Duration PATIENCE = Duration.ofSeconds(20);

  final InMemoryNetwork network = InMemoryNetwork.create();
  final Replica phone = open("phone");
  final Replica tablet = open("tablet");
  final Replica pc = open("pc");
  /** Anything the PC showed that broke causality; empty when all is well. */
  final List<String> causalityBreaks = new ArrayList<>();
  private final PrintStream out;

  ThreeDevices(PrintStream out) {
    this.out = out;
    network.connect("phone", "tablet");
    network.connect("phone", "pc");
    network.connect("tablet", "pc");
    // Whenever the PC changes, every draft it shows must have its contact.
    pc.addListener(change -> {
      OrMap<String, LwwRegister<String>> drafts = pc.get("drafts", map());
      OrMap<String, LwwRegister<String>> contacts = pc.get("contacts", map());
      drafts.forEach((id, to) -> {
        if (!contacts.containsKey(to.value())) {
          causalityBreaks.add("draft " + id + " shown before contact " + to.value());
        }
      });
    });
  }

  private Replica open(String name) {
    return Replica.builder().store(new InMemoryReplicaStore())
        .transport(network.endpoint(name)).build();
  }

  static OrMap<String, LwwRegister<String>> map() {
    return OrMap.empty();
  }

  static Write put(Replica r, String object, String key, String value) {
    return r.update(object, map(), (m, w) -> m.update(w.replica(), key, LwwRegister.empty(),
        v -> v.assign(w.hlc(), value)));
  }

  static String get(Replica r, String object, String key) {
    LwwRegister<String> v = r.get(object, map()).get(key);
    return v == null ? null : v.value();
  }

  /** Runs every story; returns whether all three devices ended equal. */
  boolean run() throws Exception {
    out.println("phone, tablet and PC are online and paired");

    Write contact = put(phone, "contacts", "ann", "Ann <ann@example.org>");
    out.println("phone: adds contact Ann");
    await(contact.on(tablet.id()), "Ann's contact on the tablet");
    put(tablet, "drafts", "hello-ann", "ann");
    out.println("tablet: has Ann, writes a draft to her");

    out.println("tablet: goes offline");
    network.disconnect("tablet", "phone");
    network.disconnect("tablet", "pc");
    Write fromTablet = put(tablet, "notes", "groceries", "Groceries for Sunday");
    put(pc, "notes", "groceries", "Groceries (PC)");
    out.println("tablet and PC: both retitle the groceries note while apart");
    out.printf("tablet sees: %s   PC sees: %s%n", get(tablet, "notes", "groceries"),
        get(pc, "notes", "groceries"));
    PeerStatus away = pc.peers().get(tablet.id());
    out.printf("PC's view of the tablet: connected=%s, records pending to send=%d%n",
        away.connected(), away.pendingOut());

    out.println("tablet: comes back online");
    network.connect("tablet", "phone");
    network.connect("tablet", "pc");
    await(fromTablet.on(pc.id(), phone.id()), "the tablet's note on the PC and the phone");
    out.println("receipt: the tablet's note is safe on the PC and on the phone ✓");
    awaitConverged();

    for (Replica r : List.of(phone, tablet, pc)) {
      out.printf("%-6s title=%-22s contacts=%s drafts=%s%n", name(r),
          get(r, "notes", "groceries"), r.get("contacts", map()).keySet(),
          r.get("drafts", map()).keySet());
    }
    boolean same = phone.vector().equals(tablet.vector()) && tablet.vector().equals(pc.vector());
    out.println(same && causalityBreaks.isEmpty()
        ? "all three devices hold the same data; no draft ever showed before its contact"
        : "DIVERGED: " + causalityBreaks);
    return same;
  }

  /** Waits for a receipt; on timeout, says what each device knows. */
  private void await(java.util.concurrent.Future<?> receipt, String what) throws Exception {
    try {
      receipt.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("no receipt for " + what + " in " + PATIENCE + ": "
          + status(), e);
    }
  }

  String status() {
    StringBuilder b = new StringBuilder();
    for (Replica r : List.of(phone, tablet, pc)) {
      b.append('\n').append(name(r)).append(' ').append(r.vector()).append(" peers ")
          .append(r.peers()).append(" metrics ").append(r.metrics());
    }
    return b.toString();
  }

  /** Waits, without sleeping blind, until the three vectors agree. */
  void awaitConverged() throws InterruptedException {
    Object signal = new Object();
    for (Replica r : List.of(phone, tablet, pc)) {
      r.addListener(c -> {
        synchronized (signal) {
          signal.notifyAll();
        }
      });
    }
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    synchronized (signal) {
      while (!equalVectors()) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          throw new IllegalStateException("devices did not converge in " + PATIENCE + ": "
              + status());
        }
        signal.wait(Math.min(left, 50));
      }
    }
  }

  private boolean equalVectors() {
    VersionVector v = phone.vector();
    return v.equals(tablet.vector()) && v.equals(pc.vector());
  }

  String name(Replica r) {
    return r == phone ? "phone" : r == tablet ? "tablet" : "PC";
  }

  @Override
  public void close() {
    phone.close();
    tablet.close();
    pc.close();
    network.close();
  }
}
