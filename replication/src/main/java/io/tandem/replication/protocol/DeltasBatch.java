package io.tandem.replication.protocol;

import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.protocol.Message.Deltas;
import java.util.ArrayList;
import java.util.List;

/**
 * Records on their way out, cut into {@link Deltas} messages of at most {@code batchRecords}
 * records and {@code batchBytes} payload bytes (a single larger record still goes alone), in the
 * order added.
 */
final class DeltasBatch {

  private final SessionConfig config;
  private final List<Message> out;
  private List<DeltaRecord> records = new ArrayList<>();
  private int bytes;

  /** A batch whose messages go to {@code out}. */
  DeltasBatch(SessionConfig config, List<Message> out) {
    this.config = config;
    this.out = out;
  }

  /** Records in the message being filled. */
  int size() {
    return records.size();
  }

  /** Adds {@code r}, closing the message being filled first if it has no room for it. */
  void add(DeltaRecord r) {
    if (!records.isEmpty() && (records.size() >= config.batchRecords()
        || bytes + r.payload().length > config.batchBytes())) {
      flush();
    }
    records.add(r);
    bytes += r.payload().length;
  }

  /** Closes the message being filled, if it holds any record. */
  void flush() {
    if (!records.isEmpty()) {
      out.add(new Deltas(records));
      records = new ArrayList<>();
      bytes = 0;
    }
  }
}
