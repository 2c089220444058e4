package io.tandem.replication;

import io.tandem.crdt.ReplicaId;
import io.tandem.replication.protocol.Message.Ephemeral;
import io.tandem.replication.protocol.MessageCodec;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A replica's ephemeral channel: messages to the peers connected at that moment, best effort,
 * and from them to this replica's listeners.
 *
 * <p>Laws: a published message goes once to each peer whose session is open, and to nobody
 * else; it is never stored, never entered into the log or the vector, never resent (a frame the
 * transport cannot take is gone) and never passed on: a message received is told to this
 * replica's listeners and to no peer. A peer that connects later never sees it. Each listener
 * hears a peer's messages at most once and in the order they were published
 * ({@link io.tandem.replication.protocol.SyncSession} drops copies and overtaken ones).
 *
 * <p>Why outside the log: presence and typing state are worth something only now; storing them
 * would make every device keep and forward what nobody will read (requirement 6).
 */
final class EphemeralChannel {

  private static final System.Logger LOG = System.getLogger(EphemeralChannel.class.getName());

  private final Replica r;
  private final List<EphemeralListener> listeners = new CopyOnWriteArrayList<>();
  /** The seq of the last message published, one count for all peers. Under the lock. */
  private long seq;

  EphemeralChannel(Replica replica) {
    this.r = replica;
  }

  void addListener(EphemeralListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  void removeListener(EphemeralListener listener) {
    listeners.remove(listener);
  }

  /** @see Replica#publish */
  int publish(String topic, byte[] payload) {
    Objects.requireNonNull(payload, "payload");
    r.lock.lock();
    try {
      r.ensureOpen();
      // The record checks the limits; the copy keeps a caller's later change off the wire.
      Ephemeral m = new Ephemeral(seq + 1, topic, payload.clone());
      ByteBuffer frame = MessageCodec.encode(m);
      if (frame.remaining() > r.config.limits().maxFrameBytes()) {
        throw new IllegalArgumentException("ephemeral frame of " + frame.remaining()
            + " bytes, above the frame limit " + r.config.limits().maxFrameBytes());
      }
      seq = m.seq();
      return r.sessions.sendOnce(frame);
    } finally {
      r.lock.unlock();
    }
  }

  /** A session delivered {@code e} from {@code peer}: its listeners hear of it, outside the lock. */
  void received(ReplicaId peer, Ephemeral e) {
    r.firing.tell(() -> {
      for (EphemeralListener l : listeners) {
        try {
          l.received(peer, e.topic(), e.payload().clone());
        } catch (RuntimeException ex) {
          LOG.log(Level.WARNING, "ephemeral listener failed", ex);
        }
      }
    });
  }
}
