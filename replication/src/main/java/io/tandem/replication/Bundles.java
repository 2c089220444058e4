package io.tandem.replication;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.protocol.Message;
import io.tandem.replication.protocol.MessageCodec;
import io.tandem.replication.protocol.ProtocolException;
import io.tandem.replication.protocol.ProtocolException.Reason;
import io.tandem.replication.protocol.SyncSession;
import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.PeerListener;
import io.tandem.replication.spi.Transport;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A replica's bundles (sneakernet): the frames a peer lacks written out, and a bundle's frames
 * applied as if its author were a connected peer, through the same session, validation, causal
 * order and store, all of the bundle or none of it.
 */
final class Bundles {

  /** Where the replies to a bundle's frames go: nowhere, a file does not listen. */
  private static final Transport DISCARD = new Transport() {
    @Override
    public void start(PeerListener listener) {}

    @Override
    public CompletionStage<Void> send(PeerId peer, ByteBuffer frame) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void disconnect(PeerId peer, String reason) {}

    @Override
    public void close() {}
  };

  /**
   * The oldest protocol version whose bundles this build reads: version 5 added only the
   * ephemeral message, which no bundle holds, so a bundle written by a version-4 build reads
   * the same.
   */
  static final int OLDEST_VERSION = 4;

  private final Replica r;

  Bundles(Replica replica) {
    this.r = replica;
  }

  /** @see Replica#exportBundle */
  List<ByteBuffer> export(VersionVector peerHas) {
    r.lock.lock();
    try {
      r.ensureOpen();
      List<ByteBuffer> frames = new ArrayList<>();
      frames.add(MessageCodec.encode(new Message.Hello(Message.VERSION, r.id, false, true)));
      for (int i = 0; i < r.vector.size(); i++) {
        ReplicaId origin = r.vector.replicaAt(i);
        long next = peerHas.get(origin) + 1;
        while (next <= r.vector.counterAt(i)) {
          List<DeltaRecord> run = r.store.readFeed(origin, next,
              (int) Math.min(r.sessionConfig.batchRecords(), r.vector.counterAt(i) - next + 1));
          if (run.isEmpty()) {
            throw new IllegalStateException("feed " + origin + " from " + next
                + " is no longer in the log; the peer needs a snapshot");
          }
          frames.add(MessageCodec.encode(new Message.Deltas(run)));
          next = run.get(run.size() - 1).seq() + 1;
        }
      }
      return frames;
    } finally {
      r.lock.unlock();
    }
  }

  /** @see Replica#importBundle */
  int importFrames(List<ByteBuffer> frames) throws ProtocolException {
    List<Message> messages = new ArrayList<>(frames.size());
    for (ByteBuffer f : frames) {
      messages.add(MessageCodec.decode(f, r.config.limits()));
      if (messages.size() == 1) {
        // The version first: another version's records would be misread, not refused for it.
        if (!(messages.get(0) instanceof Message.Hello hello)) {
          throw new ProtocolException(Reason.VIOLATION, "a bundle starts with its author's hello");
        }
        if (hello.version() < OLDEST_VERSION || hello.version() > Message.VERSION) {
          throw new ProtocolException(Reason.UNSUPPORTED_VERSION, "bundle speaks version "
              + hello.version() + ", this is " + Message.VERSION);
        }
      }
    }
    if (messages.isEmpty()) {
      throw new ProtocolException(Reason.VIOLATION, "a bundle starts with its author's hello");
    }
    Message.Hello hello = (Message.Hello) messages.get(0);
    long before;
    List<InFlight.Batch> queued;
    r.lock.lock();
    try {
      r.ensureOpen();
      // Everything a session could refuse midway is checked up front, across all frames, so a
      // bundle applies whole or not at all.
      if (hello.replica().equals(r.id)) {
        throw new ProtocolException(Reason.VIOLATION, "bundle claims to come from this replica");
      }
      List<DeltaRecord> all = new ArrayList<>();
      for (Message m : messages.subList(1, messages.size())) {
        if (!(m instanceof Message.Deltas d)) {
          throw new ProtocolException(Reason.VIOLATION, "a bundle holds only deltas, not "
              + m.getClass().getSimpleName());
        }
        for (DeltaRecord d2 : d.records()) {
          if (d2.origin().equals(r.id) && d2.seq() > r.vector.get(r.id)) {
            throw new ProtocolException(Reason.VIOLATION, "bundle holds " + d2
                + " of this replica's own feed, which it never wrote");
          }
        }
        all.addAll(d.records());
      }
      r.inbound.validate(r.inbound.unheld(all));
      before = r.inbound.appliedOrRejected();
      // A file hears nothing we say, so its session must not change the base kept for its author.
      SyncSession s = new SyncSession(new LocalView(r, false), r.sessionConfig, r.sessionSeeds++);
      Sessions.Link link = new Sessions.Link(DISCARD, PeerId.of("bundle"));
      r.sessions.put(link, s);
      try {
        s.start(r.clock.millis());
        // The session speaks this version; an older bundle's frames read the same (checked above).
        r.inbound.onFrame(link, MessageCodec.encode(new Message.Hello(Message.VERSION,
            hello.replica(), hello.interactive(), hello.heardYou(), hello.relay())), true);
        for (ByteBuffer f : frames.subList(1, frames.size())) {
          r.inbound.onFrame(link, f.duplicate(), true);
        }
      } finally {
        r.sessions.remove(link);
      }
      queued = r.inbound.takeQueued();
    } finally {
      r.lock.unlock();
    }
    r.inbound.settle(queued, true); // the caller sees the bundle's records applied
    r.lock.lock();
    try {
      return (int) (r.inbound.appliedOrRejected() - before);
    } finally {
      r.lock.unlock();
    }
  }
}
