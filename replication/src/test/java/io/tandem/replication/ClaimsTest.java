package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.ReplicaId;
import org.junit.jupiter.api.Test;

/** A record two sessions are offered at once is requested by one; a claim only defers. */
class ClaimsTest {

  private static final ReplicaId A = ReplicaId.of(0xa);
  private static final ReplicaId B = ReplicaId.of(0xb);
  private final Object relay = new Object();
  private final Object phone = new Object();

  @Test
  void anotherSessionsLiveClaimLeavesOnlyWhatLiesBeyondIt() {
    Claims claims = new Claims();
    assertThat(claims.claim(A, 1, 10, relay, 0, 1_000)).isEqualTo(1);
    assertThat(claims.claim(A, 1, 10, phone, 500, 1_500)).as("all of it claimed").isEqualTo(11);
    assertThat(claims.claim(A, 4, 14, phone, 500, 1_500)).as("11..14 are free").isEqualTo(11);
    assertThat(claims.claim(B, 1, 3, phone, 500, 1_500)).as("another feed").isEqualTo(1);
  }

  @Test
  void theClaimingSessionAndAnyoneAfterTheClaimLapsedMayAskAgain() {
    Claims claims = new Claims();
    claims.claim(A, 1, 10, relay, 0, 1_000);
    assertThat(claims.claim(A, 1, 10, relay, 200, 1_200)).as("its own claim").isEqualTo(1);
    assertThat(claims.claim(A, 1, 10, phone, 1_200, 2_200)).as("lapsed").isEqualTo(1);
    assertThat(claims.claim(A, 1, 10, relay, 1_300, 2_300)).as("now the phone's")
        .isEqualTo(11);
  }
}
