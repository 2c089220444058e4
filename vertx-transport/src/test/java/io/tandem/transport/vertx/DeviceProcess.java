package io.tandem.transport.vertx;

import io.tandem.crdt.OrSet;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.replication.Replica;
import io.tandem.storage.h2.H2ReplicaStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * One device of {@link ThreeProcessTest} in a JVM of its own: an H2 store and a TLS transport
 * from its data directory, then {@code writes} notes at a steady pace. It prints
 * {@code ID <replica>} first, {@code ACK <seq>} once each write has returned (so is durable),
 * {@code DONE} after the last, and then {@code STATE <vector> <sha of the notes>} every 100 ms.
 *
 * <p>Arguments: name, data directory, listen port, comma-separated peer ports, writes.
 */
public final class DeviceProcess {

  public static void main(String[] args) throws Exception {
    String name = args[0];
    Path dir = Path.of(args[1]);
    int port = Integer.parseInt(args[2]);
    List<PeerAddress> peers = new ArrayList<>();
    for (String p : args[3].split(",")) {
      if (!p.isEmpty()) {
        peers.add(new PeerAddress("127.0.0.1", Integer.parseInt(p)));
      }
    }
    int writes = Integer.parseInt(args[4]);
    TlsSetup tls = new TlsSetup(DeviceIdentity.loadOrCreate(dir, name),
        TrustedDevices.open(dir), r -> { });
    VertxTransport transport = new VertxTransport(VertxTransportOptions.defaults()
        .withListen("127.0.0.1", port).withPeers(peers)
        .withBackoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(300)))
        .withDiscovery(Discovery.Options.OFF), ChannelSecurity.tls(tls));
    Replica replica = Replica.builder().store(H2ReplicaStore.open(dir.resolve("store")))
        .transport(transport).build();
    System.out.println("ID " + replica.id());
    System.out.flush();
    long start = replica.vector().get(replica.id());
    for (int i = 0; i < writes; i++) {
      String note = name + "-" + (start + i + 1);
      long seq = replica.update("notes", OrSet.<String>empty(),
          (s, w) -> s.add(w.replica(), note)).dot().counter();
      System.out.println("ACK " + seq);
      System.out.flush();
      LockSupport.parkNanos(3_000_000);
    }
    System.out.println("DONE");
    while (true) {
      byte[] notes = BinaryCodec.encode(replica.get("notes", OrSet.<String>empty()));
      byte[] sha = java.security.MessageDigest.getInstance("SHA-256").digest(notes);
      System.out.println("STATE " + replica.vector().toString().replace(' ', '_') + " "
          + HexFormat.of().formatHex(sha));
      System.out.flush();
      Thread.sleep(100);
    }
  }

  private DeviceProcess() {}
}
