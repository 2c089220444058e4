package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.Hlc;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class RecentRecordsTest {

  private static final ReplicaId A = ReplicaId.of(1);
  private static final ReplicaId B = ReplicaId.of(2);

  @Test
  void servesTheNewestRunOfEachFeedAndNothingOlder() {
    RecentRecords recent = new RecentRecords(4, 100);
    LongStream.rangeClosed(1, 6).forEach(s -> recent.add(record(A, s)));
    recent.add(record(B, 1));

    assertThat(recent.read(A, 3, 10)).extracting(DeltaRecord::seq).containsExactly(3L, 4L, 5L, 6L);
    assertThat(recent.read(A, 4, 2)).extracting(DeltaRecord::seq).containsExactly(4L, 5L);
    assertThat(recent.read(A, 2, 10)).as("older than the run: the store serves it").isNull();
    assertThat(recent.read(A, 7, 10)).as("not written yet").isNull();
    assertThat(recent.read(B, 1, 10)).extracting(DeltaRecord::seq).containsExactly(1L);
  }

  @Test
  void aRecordThatDoesNotContinueItsRunStartsItOver() {
    RecentRecords recent = new RecentRecords(4, 100);
    recent.add(List.of(record(A, 1), record(A, 2)));
    recent.add(record(A, 9));

    assertThat(recent.read(A, 1, 10)).isNull();
    assertThat(recent.read(A, 9, 10)).extracting(DeltaRecord::seq).containsExactly(9L);
  }

  @Test
  void pastTheTotalTheOlderHalfOfTheLongestRunGoes() {
    RecentRecords recent = new RecentRecords(4, 5);
    LongStream.rangeClosed(1, 4).forEach(s -> recent.add(record(A, s)));
    LongStream.rangeClosed(1, 2).forEach(s -> recent.add(record(B, s)));

    assertThat(recent.read(A, 2, 10)).as("the older half of the longest run").isNull();
    assertThat(recent.read(A, 3, 10)).extracting(DeltaRecord::seq).containsExactly(3L, 4L);
    assertThat(recent.read(B, 1, 10)).extracting(DeltaRecord::seq).containsExactly(1L, 2L);
  }

  @Test
  void aRunGrowsUpToItsBoundKeepingItsOrder() {
    RecentRecords recent = new RecentRecords(100, 1_000);
    LongStream.rangeClosed(1, 50).forEach(s -> recent.add(record(A, s)));
    assertThat(recent.read(A, 1, 200)).extracting(DeltaRecord::seq)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, 50).boxed().toList());

    LongStream.rangeClosed(51, 120).forEach(s -> recent.add(record(A, s)));
    assertThat(recent.read(A, 20, 10)).isNull();
    assertThat(recent.read(A, 21, 200)).extracting(DeltaRecord::seq)
        .containsExactlyElementsOf(LongStream.rangeClosed(21, 120).boxed().toList());
  }

  private static DeltaRecord record(ReplicaId origin, long seq) {
    return new DeltaRecord(origin, seq, VersionVector.empty(), new Hlc(1_000 + seq, 0, origin), "o",
        new byte[] {1});
  }
}
