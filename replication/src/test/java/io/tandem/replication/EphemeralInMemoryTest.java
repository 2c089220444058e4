package io.tandem.replication;

import static io.tandem.replication.EphemeralHeard.line;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.replication.memory.InMemoryNetwork;
import io.tandem.replication.memory.InMemoryReplicaStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ephemeral channel over the in-memory transport, on real threads: A - B - C in a chain. B
 * hears A, C never does; a message published while B is disconnected never reaches it.
 */
@Timeout(60)
class EphemeralInMemoryTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private final InMemoryNetwork net = InMemoryNetwork.create();
  private final List<Replica> replicas = new ArrayList<>();

  @AfterEach
  void tearDown() {
    replicas.forEach(Replica::close);
    net.close();
  }

  @Test
  void connectedPeerHearsItAndNeitherAThirdReplicaNorAnOfflinePeerEverDoes() throws Exception {
    Replica a = replica("a");
    Replica b = replica("b");
    Replica c = replica("c");
    EphemeralHeard atB = EphemeralHeard.on(b);
    EphemeralHeard atC = EphemeralHeard.on(c);
    net.connect("a", "b");
    net.connect("b", "c");
    await("A - B - C open", () -> connected(a, b) && connected(b, c));

    assertThat(a.publish("typing", utf8("A types"))).isEqualTo(1);
    assertThat(atB.await(1, WAIT)).containsExactly(line(a, "typing", "A types"));
    // B publishes after it heard A: had B passed A's message on, C would hear it first.
    assertThat(b.publish("typing", utf8("B types"))).isEqualTo(2);
    assertThat(atC.await(1, WAIT)).containsExactly(line(b, "typing", "B types"));

    net.disconnect("a", "b");
    // Each side learns of the cut on its own thread: A must see it before it publishes.
    await("A - B down on both sides", () -> disconnected(a, b));
    assertThat(a.publish("typing", utf8("B is away"))).isZero();
    net.connect("a", "b");
    await("A - B open again", () -> connected(a, b));
    a.update("notes", Notes.map(), (m, w) -> m.update(w.replica(), "n", io.tandem.crdt.LwwRegister
        .empty(), v -> v.assign(w.hlc(), "synced after the reconnect")));
    await("B holds A's write", () -> b.vector().equals(a.vector()));
    assertThat(a.publish("typing", utf8("welcome back"))).isEqualTo(1);

    assertThat(atB.await(2, WAIT)).containsExactly(line(a, "typing", "A types"),
        line(a, "typing", "welcome back"));
    assertThat(atC.all()).containsExactly(line(b, "typing", "B types"));
  }

  private Replica replica(String name) {
    Replica r = Replica.builder().store(new InMemoryReplicaStore())
        .transport(net.endpoint(name)).build();
    replicas.add(r);
    return r;
  }

  private static boolean connected(Replica x, Replica y) {
    PeerStatus s = x.peers().get(y.id());
    PeerStatus t = y.peers().get(x.id());
    return s != null && s.connected() && t != null && t.connected();
  }

  private static boolean disconnected(Replica x, Replica y) {
    PeerStatus s = x.peers().get(y.id());
    PeerStatus t = y.peers().get(x.id());
    return (s == null || !s.connected()) && (t == null || !t.connected());
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + WAIT + " waiting until " + what);
      }
      LockSupport.parkNanos(2_000_000);
    }
  }
}
