package io.tandem.replication.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.crdt.Hlc;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The snapshot encoding: deterministic, round-trips, keeps the clock, reads the clockless form
 * storage-h2 wrote, and refuses damaged or lying bytes with an {@link IllegalArgumentException}.
 */
class SnapshotCodecTest {

  private static final ReplicaId A = ReplicaId.of(0xa);
  private static final ReplicaId B = ReplicaId.of(-2);

  private static Snapshot sample(Hlc clock) {
    return new Snapshot(VersionVector.of(A, 3).with(B, 300),
        Map.of("notes", new byte[] {1, 2, 3}, "likes", new byte[0]), clock);
  }

  @Test
  void roundTripsWithAndWithoutAClock() {
    for (Hlc clock : new Hlc[] {null, new Hlc(1_700_000_000_123L, 7, B)}) {
      Snapshot s = sample(clock);
      byte[] bytes = SnapshotCodec.encode(s);
      Snapshot back = SnapshotCodec.decode(bytes);
      assertThat(back.vector()).isEqualTo(s.vector());
      assertThat(back.clock()).isEqualTo(clock);
      assertThat(back.objects().keySet()).isEqualTo(s.objects().keySet());
      s.objects().forEach((k, v) -> assertThat(back.objects().get(k)).isEqualTo(v));
      assertThat(SnapshotCodec.encode(back)).isEqualTo(bytes);
    }
  }

  /** Version 1 is byte for byte storage-h2's snapshot row, so its chunks serve this codec. */
  @Test
  void clocklessFormIsVersionOneWithTheLayoutStorageWrote() {
    byte[] bytes = SnapshotCodec.encode(new Snapshot(VersionVector.of(A, 3),
        Map.of("o", new byte[] {9})));
    assertThat(HexFormat.of().formatHex(bytes, 0, bytes.length - 4))
        .isEqualTo("5301" + "01" + "000000000000000a" + "03" + "01" + "016f" + "0109");
  }

  @Test
  void everyDamagedByteIsRefused() {
    byte[] bytes = SnapshotCodec.encode(sample(new Hlc(5, 0, A)));
    Random r = new Random(1);
    for (int i = 0; i < bytes.length; i++) {
      byte[] damaged = bytes.clone();
      damaged[i] ^= (byte) (1 + r.nextInt(255));
      assertThatThrownBy(() -> SnapshotCodec.decode(damaged)).as("byte %d", i)
          .isInstanceOf(IllegalArgumentException.class);
    }
    for (int n = 0; n < bytes.length; n++) {
      byte[] prefix = Arrays.copyOf(bytes, n);
      assertThatThrownBy(() -> SnapshotCodec.decode(prefix)).as("prefix %d", n)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
