package io.tandem.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.Dot;
import io.tandem.crdt.ReplicaId;
import org.junit.jupiter.api.Test;

/** An app follows the receipts of any write by its dot, whoever made it. */
class WriteOfAnyDotTest {

  @Test
  void aWriteMadeElsewhereShowsWhichDevicesHoldIt() {
    SimCluster c = new SimCluster(29, 3, SyncMode.BATCH);
    Replica phone = c.replica(0);
    Replica tablet = c.replica(1);
    ReplicaId pc = c.replica(2).id();
    c.net.setOnline("r2", false);
    Dot dot = Notes.put(phone, "notes", "n1", "Groceries").dot();
    c.net.runFor(10_000);
    // The tablet got the phone's note and knows the phone has it, but not the PC (offline).
    Write seenOnTablet = tablet.write(dot);
    assertThat(seenOnTablet.acknowledgedBy()).containsExactly(phone.id());
    c.net.setOnline("r2", true);
    c.settle(60_000);
    assertThat(seenOnTablet.on(pc)).isDone();
    assertThat(seenOnTablet.acknowledgedBy()).containsExactlyInAnyOrder(phone.id(), pc);
  }
}
