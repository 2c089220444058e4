package io.tandem.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.GCounter;
import io.tandem.crdt.OrSet;
import io.tandem.replication.Replica;
import io.tandem.replication.ReplicaState;
import io.tandem.replication.Write;
import io.tandem.replication.memory.InMemoryReplicaStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two real replicas sync over VertxTransport on 127.0.0.1, through a proxy that cuts them. */
class ReplicaSyncOverTcpTest {

  private static final int WRITES = 300;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  @Test
  void concurrentWritesOnBothReplicasConvergeAcrossACutConnection() throws Exception {
    InMemoryReplicaStore phoneStore = new InMemoryReplicaStore();
    InMemoryReplicaStore pcStore = new InMemoryReplicaStore();
    VertxTransport pcTransport = new VertxTransport(Loopback.options(), Loopback.plain("pc"));
    Replica pc = open(Replica.builder().store(pcStore).transport(pcTransport).build());
    TcpProxy proxy = new TcpProxy(pcTransport::port);
    toClose.add(proxy);
    VertxTransport phoneTransport = new VertxTransport(Loopback.options().withPeers(
        List.of(new PeerAddress("127.0.0.1", proxy.port()))), Loopback.plain("phone"));
    Replica phone = open(Replica.builder().store(phoneStore).transport(phoneTransport).build());

    CompletableFuture<List<Write>> phoneWrites = CompletableFuture.supplyAsync(
        () -> write(phone, "phone"));
    CompletableFuture<List<Write>> pcWrites = CompletableFuture.supplyAsync(
        () -> write(pc, "pc"));
    // The link drops while both still write; what was sent in flight may be lost.
    Loopback.await("some of the phone's writes reach the pc",
        () -> pc.vector().get(phone.id()) > 10, Duration.ofSeconds(20));
    proxy.cut();
    List<Write> fromPhone = phoneWrites.get(30, TimeUnit.SECONDS);
    List<Write> fromPc = pcWrites.get(30, TimeUnit.SECONDS);
    proxy.restore();

    for (Write w : fromPhone) {
      w.on(pc.id()).get(30, TimeUnit.SECONDS);
    }
    for (Write w : fromPc) {
      w.on(phone.id()).get(30, TimeUnit.SECONDS);
    }
    Loopback.await("equal states", () -> ReplicaState.of(phone, phoneStore)
        .equals(ReplicaState.of(pc, pcStore)), Duration.ofSeconds(20));

    assertThat(phone.get("likes", GCounter.empty()).value()).isEqualTo(2L * WRITES);
    assertThat(pc.get("tags", OrSet.<String>empty()).elements()).hasSize(2 * WRITES);
    assertThat(phone.vector().get(pc.id())).isEqualTo(2L * WRITES);
    assertThat(phoneTransport.metrics().peers().get("127.0.0.1:" + proxy.port()).reconnects())
        .as("the phone redialed after the cut").isPositive();
    assertThat(pcTransport.metrics().framesIn()).isPositive();
  }

  private Replica open(Replica r) {
    toClose.add(r);
    return r;
  }

  private static List<Write> write(Replica r, String who) {
    List<Write> writes = new ArrayList<>();
    for (int i = 0; i < WRITES; i++) {
      String tag = who + "-" + i;
      writes.add(r.update("likes", GCounter.empty(), (c, w) -> c.increment(w.replica(), 1)));
      writes.add(r.update("tags", OrSet.<String>empty(), (s, w) -> s.add(w.replica(), tag)));
    }
    return writes;
  }
}
