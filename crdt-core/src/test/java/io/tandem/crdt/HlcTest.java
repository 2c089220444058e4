package io.tandem.crdt;

import static io.tandem.crdt.Mutations.A;
import static io.tandem.crdt.Mutations.B;
import static io.tandem.crdt.Mutations.C;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HlcTest {

  private static final long MAX_OFFSET = Hlc.DEFAULT_MAX_OFFSET_MILLIS;

  @Test
  void aHundredThousandEventsInOneFrozenMillisecondStayStrictlyOrdered() {
    Hlc clock = Hlc.zero(A);
    Hlc previous = clock.tick(42);
    for (int i = 0; i < 100_000; i++) {
      Hlc next = previous.tick(42);
      assertThat(next).isGreaterThan(previous);
      previous = next;
    }
    assertThat(previous.wallMillis()).isEqualTo(42);
    assertThat(previous.logical()).isEqualTo(100_000);
  }

  @Test
  void aFullLogicalCounterAdvancesTheWallInsteadOfWrapping() {
    Hlc full = new Hlc(42, Integer.MAX_VALUE, A);
    Hlc next = full.tick(42);
    assertThat(next).isGreaterThan(full);
    assertThat(next.wallMillis()).isEqualTo(43);
  }

  @Test
  void aRemoteTimestampFarInTheFutureIsNotAdoptedBeyondTheBound() {
    long now = 1_700_000_000_000L;
    Hlc local = Hlc.zero(A).tick(now);
    Hlc remote = new Hlc(now + 86_400_000L, 7, B);
    assertThat(remote.isAheadOf(now, MAX_OFFSET)).isTrue();
    Hlc after = local.receive(remote, now);
    assertThat(after.wallMillis()).isLessThanOrEqualTo(now + MAX_OFFSET);
    assertThat(after).isGreaterThan(local);
    // The write carrying it still merges the same way everywhere: merging reads no clock.
    LwwRegister<String> far = LwwRegister.of(remote, "far");
    LwwRegister<String> near = LwwRegister.of(after, "near");
    assertThat(far.merge(near)).isEqualTo(near.merge(far));
  }

  @Test
  void receivingWithinTheBoundMovesPastBothClocks() {
    qt().withExamples(Examples.COUNT).forAll(integers().between(0, 100_000),
        integers().between(0, 5), integers().between(0, 200_000),
        integers().between(0, 100_000)).checkAssert((lw, ll, rw, now) -> {
          Hlc local = new Hlc(lw, ll, A);
          Hlc remote = new Hlc(rw, rw % 5, B);
          Hlc after = local.receive(remote, now, MAX_OFFSET);
          assertThat(after).isGreaterThan(local);
          if (!remote.isAheadOf(now, MAX_OFFSET)) {
            assertThat(after).isGreaterThan(remote);
          }
          assertThat(after.wallMillis()).isLessThanOrEqualTo(Math.max(lw, now + MAX_OFFSET));
          assertThat(after.replica()).isEqualTo(A);
        });
  }

  /**
   * Three replicas whose clocks are bumped by up to ±262 s or ±24 h, or strobed between two
   * offsets (Jepsen's clock faults), exchange messages. Messages stamped beyond the bound wait
   * until the receiver's time catches up, as replication holds them. Every event must carry a
   * larger timestamp than everything in its causal past, and no clock is dragged beyond the bound.
   */
  @Test
  void causallyLaterEventsCarryLargerTimestampsWhateverTheWallClocksDo() {
    qt().withExamples(Examples.COUNT).forAll(
        lists().of(integers().between(0, 5)).ofSize(3),
        lists().of(integers().between(0, Integer.MAX_VALUE)).ofSizeBetween(1, 80))
        .checkAssert((faults, script) -> {
          List<ReplicaId> ids = List.of(A, B, C);
          Hlc[] clock = new Hlc[3];
          Hlc[] past = new Hlc[3];
          for (int i = 0; i < 3; i++) {
            clock[i] = Hlc.zero(ids.get(i));
            past[i] = clock[i];
          }
          record Message(int to, Hlc stamp, Hlc past) {}
          List<Message> inFlight = new ArrayList<>();
          long time = 1_700_000_000_000L;
          for (int code : script) {
            time += code % 3_000;
            int i = code % 3;
            long phys = time + offset(faults.get(i), time);
            Hlc event;
            switch ((code / 3) % 3) {
              case 0 -> event = clock[i].tick(phys);
              case 1 -> {
                event = clock[i].tick(phys);
                inFlight.add(new Message((i + 1 + code % 2) % 3, event, event));
              }
              default -> {
                Message m = null;
                for (Message c : inFlight) {
                  long p = time + offset(faults.get(c.to()), time);
                  if (c.to() == i && !c.stamp().isAheadOf(p, MAX_OFFSET)) {
                    m = c;
                    break;
                  }
                }
                if (m == null) {
                  continue;
                }
                inFlight.remove(m);
                Hlc before = clock[i];
                event = clock[i].receive(m.stamp(), phys, MAX_OFFSET);
                assertThat(event.wallMillis())
                    .isLessThanOrEqualTo(Math.max(before.wallMillis(), phys + MAX_OFFSET));
                past[i] = past[i].max(m.past());
              }
            }
            assertThat(event).as("event at %s after %s", ids.get(i), past[i])
                .isGreaterThan(past[i]);
            clock[i] = event;
            past[i] = event;
          }
        });
  }

  /** Jepsen clock faults as an offset from true time: none, bumps, strobes. */
  private static long offset(int fault, long time) {
    return switch (fault) {
      case 1 -> 262_000;
      case 2 -> -262_000;
      case 3 -> (time / 1_000) % 2 == 0 ? 262_000 : -262_000;
      case 4 -> 86_400_000;
      case 5 -> -86_400_000;
      default -> 0;
    };
  }

  @Test
  void timestampsOrderByWallThenLogicalThenReplica() {
    assertThat(new Hlc(2, 0, A)).isGreaterThan(new Hlc(1, 9, B));
    assertThat(new Hlc(2, 1, A)).isGreaterThan(new Hlc(2, 0, B));
    Hlc a = new Hlc(2, 1, A);
    Hlc b = new Hlc(2, 1, B);
    assertThat(a.compareTo(b)).isEqualTo(-b.compareTo(a)).isNotZero();
  }
}
