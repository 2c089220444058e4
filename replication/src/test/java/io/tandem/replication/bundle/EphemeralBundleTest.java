package io.tandem.replication.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.EphemeralHeard;
import io.tandem.replication.Replica;
import io.tandem.replication.ReplicaState;
import io.tandem.replication.memory.InMemoryReplicaStore;
import io.tandem.replication.protocol.Message;
import io.tandem.replication.protocol.MessageCodec;
import io.tandem.replication.protocol.ProtocolException;
import io.tandem.replication.protocol.ProtocolException.Reason;
import io.tandem.replication.protocol.ProtocolLimits;
import io.tandem.replication.sim.SimulatedNetwork;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sneakernet never carries ephemeral messages: a bundle is stored, and they must not be. An export
 * holds the author's hello and records only, and a bundle holding an ephemeral frame is refused
 * whole.
 */
class EphemeralBundleTest {

  @TempDir
  Path dir;

  private final SimulatedNetwork net = new SimulatedNetwork(21);
  private final List<Replica> replicas = new ArrayList<>();
  private final List<InMemoryReplicaStore> stores = new ArrayList<>();

  @AfterEach
  void close() {
    replicas.forEach(Replica::close);
  }

  @Test
  void exportedBundleHoldsNoEphemeralMessage() throws Exception {
    Replica a = replica(0xa, true);
    Replica b = replica(0xb, true);
    EphemeralHeard atB = EphemeralHeard.on(b);
    net.runFor(1_000);
    byte[] marker = new byte[32];
    new SecureRandom().nextBytes(marker);
    String hex = HexFormat.of().formatHex(marker);
    a.update("title", LwwRegister.<String>empty(), (t, w) -> t.assign(w.hlc(), "Groceries"));

    assertThat(a.publish("typing/" + hex, marker)).isEqualTo(1);
    net.runFor(1_000);
    assertThat(atB.all()).as("the message went live").hasSize(1);
    Path file = dir.resolve("a.tndb");
    BundleTransport.export(a, VersionVector.empty(), file);

    byte[] bundle = Files.readAllBytes(file);
    assertThat(occurrences(bundle, marker)).isZero();
    assertThat(occurrences(bundle, hex.getBytes())).isZero();
    List<String> kinds = BundleTransport.read(bundle, ProtocolLimits.DEFAULT).stream()
        .map(MessageCodec::kindOf).toList();
    assertThat(kinds).containsExactly("hello", "deltas");
  }

  @Test
  void bundleHoldingAnEphemeralFrameIsRefusedWholeAndNobodyHearsIt() throws Exception {
    Replica a = replica(0xa, false);
    Replica c = replica(0xc, false);
    EphemeralHeard atC = EphemeralHeard.on(c);
    a.update("title", LwwRegister.<String>empty(), (t, w) -> t.assign(w.hlc(), "Groceries"));
    List<ByteBuffer> frames = new ArrayList<>(a.exportBundle(VersionVector.empty()));
    frames.add(MessageCodec.encode(new Message.Ephemeral(1, "typing", "smuggled".getBytes())));
    ReplicaState before = ReplicaState.of(c, stores.get(1));

    ProtocolException e = catchThrowableOfType(ProtocolException.class,
        () -> c.importBundle(frames));

    assertThat(e.reason()).isEqualTo(Reason.VIOLATION);
    assertThat(ReplicaState.of(c, stores.get(1))).isEqualTo(before);
    assertThat(atC.all()).isEmpty();
  }

  /** Version 5 changed live sessions only: a bundle written by a version-4 build still reads. */
  @Test
  void bundleOfProtocolVersionFourStillImports() throws Exception {
    Replica a = replica(0xa, false);
    Replica c = replica(0xc, false);
    a.update("title", LwwRegister.<String>empty(), (t, w) -> t.assign(w.hlc(), "Groceries"));
    List<ByteBuffer> frames = new ArrayList<>(a.exportBundle(VersionVector.empty()));
    frames.set(0, MessageCodec.encode(new Message.Hello(4, a.id(), false, true)));

    assertThat(c.importBundle(frames)).isEqualTo(1);
    assertThat(c.vector()).isEqualTo(a.vector());

    frames.set(0, MessageCodec.encode(new Message.Hello(3, a.id(), false, true)));
    assertThat(catchThrowableOfType(ProtocolException.class, () -> c.importBundle(frames))
        .reason()).isEqualTo(Reason.UNSUPPORTED_VERSION);
  }

  private Replica replica(long id, boolean online) {
    InMemoryReplicaStore store = new InMemoryReplicaStore();
    var builder = Replica.builder().id(ReplicaId.of(id)).store(store).clock(net.clock())
        .scheduler(net.scheduler());
    if (online) {
      builder.transport(net.endpoint("r" + id));
    }
    Replica r = builder.build();
    replicas.add(r);
    stores.add(store);
    return r;
  }

  static int occurrences(byte[] haystack, byte[] needle) {
    int n = 0;
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      int j = 0;
      while (j < needle.length && haystack[i + j] == needle[j]) {
        j++;
      }
      if (j == needle.length) {
        n++;
      }
    }
    return n;
  }
}
