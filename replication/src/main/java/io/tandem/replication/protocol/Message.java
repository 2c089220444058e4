package io.tandem.replication.protocol;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import java.util.List;
import java.util.Objects;

/**
 * The sync protocol's messages, all of them. One session per peer exchanges them:
 * <ol>
 *   <li>{@link Hello} both ways: protocol version and replica id; nothing else is accepted first.
 *   <li>{@link Summary}: the sender's version vector; the first in a session is whole, later ones
 *       carry only the entries that changed since the last one sent.
 *   <li>{@link Deltas}: records the receiver lacks, in feed order, in bounded batches.
 *   <li>{@link Ack}: the entries of the sender's vector that grew by receiving deltas.
 *   <li>{@link Offer} and {@link Request}: in interactive mode, ids first, deltas on request.
 * </ol>
 * Every counter is absolute, never a difference, so a lost or repeated message only delays.
 */
public sealed interface Message {

  /** The protocol version this build speaks. */
  int VERSION = 1;

  /**
   * Opens a session: who is speaking and which protocol. {@code heardYou} says the sender has the
   * receiver's hello; a hello without it is answered with one, so a lost hello is recovered
   * without two peers trading hellos for ever.
   */
  record Hello(int version, ReplicaId replica, boolean interactive, boolean heardYou)
      implements Message {
    public Hello {
      Objects.requireNonNull(replica, "replica");
    }
  }

  /** What the sender holds: per origin, the highest gap-free sequence number. */
  record Summary(VersionVector vector) implements Message {
    public Summary {
      Objects.requireNonNull(vector, "vector");
    }
  }

  /** What the sender now holds durably, for the feeds that grew. */
  record Ack(VersionVector vector) implements Message {
    public Ack {
      Objects.requireNonNull(vector, "vector");
    }
  }

  /** Records of one or more feeds, each feed's in sequence order. */
  record Deltas(List<DeltaRecord> records) implements Message {
    public Deltas {
      records = List.copyOf(records);
    }
  }

  /** Ids of records the sender holds: for each range, sequence numbers from..to of a feed. */
  record Offer(List<Range> ranges) implements Message {
    public Offer {
      ranges = List.copyOf(ranges);
    }
  }

  /** Ranges of records the sender wants. */
  record Request(List<Range> ranges) implements Message {
    public Request {
      ranges = List.copyOf(ranges);
    }
  }

  /** Sequence numbers {@code from..to} (inclusive) of {@code origin}'s feed. */
  record Range(ReplicaId origin, long from, long to) {
    public Range {
      Objects.requireNonNull(origin, "origin");
      if (from < 1 || to < from) {
        throw new IllegalArgumentException("bad range " + from + ".." + to);
      }
    }

    public long count() {
      return to - from + 1;
    }
  }
}
