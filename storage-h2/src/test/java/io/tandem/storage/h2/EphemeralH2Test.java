package io.tandem.storage.h2;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.EphemeralHeard;
import io.tandem.replication.Replica;
import io.tandem.replication.Write;
import io.tandem.replication.memory.InMemoryNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ephemeral messages never reach the disk (requirement 6, FAULTS "Expiry and ephemeral
 * messages"): two replicas on H2 files publish a random 32-byte marker to each other, between
 * and alongside writes that are committed; afterwards no byte of either file holds it, raw or in
 * hex, while a marker written as a value is found there (the scan sees what is stored).
 */
@Timeout(120)
class EphemeralH2Test {

  private static final ReplicaId PHONE = ReplicaId.of(0xf00e);
  private static final ReplicaId PC = ReplicaId.of(0x0bc0);

  @TempDir
  Path tmp;

  @Test
  void publishedMarkerOccursNowhereInEitherH2File() throws Exception {
    SecureRandom random = new SecureRandom();
    byte[] marker = new byte[32];
    random.nextBytes(marker);
    byte[] stored = new byte[32];
    random.nextBytes(stored);
    String markerHex = HexFormat.of().formatHex(marker);
    String storedHex = HexFormat.of().formatHex(stored);
    Path phoneDir = tmp.resolve("phone");
    Path pcDir = tmp.resolve("pc");

    try (InMemoryNetwork net = InMemoryNetwork.create();
        Replica phone = Replica.builder().id(PHONE).store(H2ReplicaStore.open(phoneDir))
            .transport(net.endpoint("phone")).build();
        Replica pc = Replica.builder().id(PC).store(H2ReplicaStore.open(pcDir))
            .transport(net.endpoint("pc")).build()) {
      EphemeralHeard atPc = EphemeralHeard.on(pc);
      EphemeralHeard atPhone = EphemeralHeard.on(phone);
      net.connect("phone", "pc");
      for (int i = 0; i < 10; i++) {
        // The PC's receipt of the note says both sessions are open: nothing polls for it.
        put(phone, "n" + i, "note " + i).on(PC).get(30, TimeUnit.SECONDS);
        assertThat(phone.publish("typing/" + markerHex, marker)).isEqualTo(1);
        assertThat(pc.publish("presence/" + markerHex, marker)).isEqualTo(1);
      }
      Write control = put(phone, "control", storedHex);
      control.on(PC).get(30, TimeUnit.SECONDS);
      List<String> heard = atPc.await(10, Duration.ofSeconds(30));
      atPhone.await(10, Duration.ofSeconds(30));
      assertThat(heard).first().asString().contains(markerHex);
      assertThat(phone.vector()).isEqualTo(VersionVector.of(PHONE, 11));
      assertThat(pc.vector()).isEqualTo(phone.vector());
    }

    for (Path dir : List.of(phoneDir, pcDir)) {
      assertThat(occurrences(dir, marker)).as("marker in %s", dir).isZero();
      assertThat(occurrences(dir, markerHex.getBytes())).as("marker as hex in %s", dir).isZero();
      assertThat(occurrences(dir, storedHex.getBytes())).as("a stored value in %s", dir)
          .isPositive();
    }
  }

  private static Write put(Replica r, String key, String value) {
    return r.update("notes", LwwRegister.<String>empty(), (t, w) -> t.assign(w.hlc(),
        key + "=" + value));
  }

  /** Copies of {@code needle} in every file under {@code dir}. */
  private static long occurrences(Path dir, byte[] needle) throws Exception {
    long n = 0;
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        byte[] b = Files.readAllBytes(f);
        for (int i = 0; i + needle.length <= b.length; i++) {
          int j = 0;
          while (j < needle.length && b[i + j] == needle[j]) {
            j++;
          }
          n += j == needle.length ? 1 : 0;
        }
      }
    }
    return n;
  }
}
