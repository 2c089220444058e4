package io.tandem.replication;

import io.tandem.crdt.ReplicaId;
import io.tandem.replication.protocol.Message;
import io.tandem.replication.protocol.MessageCodec;
import io.tandem.replication.protocol.SyncSession;
import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.Transport;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A replica's sync sessions, one per connection, and the frames they send: encoded, counted and
 * handed to the connection's transport. A frame the transport cannot take is told to its session
 * at the next tick, so that the session sends its records again. Called under the replica's
 * lock; the send completions take no lock.
 */
final class Sessions {

  private static final System.Logger LOG = System.getLogger(Sessions.class.getName());

  /** A connection: a peer as one of the replica's transports knows it. */
  record Link(Transport transport, PeerId peer) {
    @Override
    public String toString() {
      return peer.toString();
    }
  }

  /** A message whose frame the transport failed to take. */
  private record LostFrame(SyncSession session, Message message) {}

  private final Map<Link, SyncSession> open = new LinkedHashMap<>();
  /** Per session, frames handed to its transport that it has not taken yet. */
  private final Map<SyncSession, AtomicInteger> unsent = new WeakHashMap<>();
  /** Frames a transport could not take, told to their sessions at the next tick. */
  private final ConcurrentLinkedQueue<LostFrame> lostFrames = new ConcurrentLinkedQueue<>();
  private long framesOut;
  private long bytesOut;

  SyncSession get(Link link) {
    return open.get(link);
  }

  void put(Link link, SyncSession s) {
    open.put(link, s);
  }

  void remove(Link link) {
    open.remove(link);
  }

  Collection<SyncSession> all() {
    return open.values();
  }

  void clear() {
    open.clear();
  }

  /** Every session sends its acks and what its peer now lacks. */
  void afterChange(long now) {
    for (Map.Entry<Link, SyncSession> e : new ArrayList<>(open.entrySet())) {
      send(e.getKey(), e.getValue().afterChange(now));
    }
  }

  /** Tells sessions the frames lost since, then every session resends what is overdue. */
  void tick(long now) {
    for (LostFrame l = lostFrames.poll(); l != null; l = lostFrames.poll()) {
      l.session().lost(l.message());
    }
    for (Map.Entry<Link, SyncSession> e : new ArrayList<>(open.entrySet())) {
      AtomicInteger pending = unsent.get(e.getValue());
      send(e.getKey(), e.getValue().tick(now, pending != null && pending.get() > 0));
    }
  }

  void send(Link peer, List<Message> messages) {
    if (messages.isEmpty()) {
      return;
    }
    SyncSession s = open.get(peer);
    AtomicInteger pending = s == null ? null
        : unsent.computeIfAbsent(s, k -> new AtomicInteger());
    for (Message m : messages) {
      ByteBuffer frame = MessageCodec.encode(m);
      framesOut++;
      bytesOut += frame.remaining();
      if (pending != null) {
        pending.incrementAndGet();
      }
      // Runs on whichever thread completes the send: no lock here, the next tick handles it.
      peer.transport().send(peer.peer(), frame).whenComplete((v, t) -> {
        if (pending != null) {
          pending.decrementAndGet();
        }
        if (t != null) {
          // A frame that cannot go is a lost frame: its session sends its records again.
          LOG.log(Level.DEBUG, "frame to {0} not sent: {1}", peer, t.getMessage());
          if (s != null) {
            lostFrames.add(new LostFrame(s, m));
          }
        }
      });
    }
  }

  /**
   * Hands {@code frame} to one connection of every peer whose session is open (whose hello is
   * here), and to nothing else. Unlike {@link #send}, the frame is told to no session: one the
   * transport cannot take is lost for good, never sent again.
   *
   * @return the number of peers it was handed to
   */
  int sendOnce(ByteBuffer frame) {
    Set<ReplicaId> reached = new HashSet<>();
    for (Map.Entry<Link, SyncSession> e : open.entrySet()) {
      SyncSession s = e.getValue();
      if (!s.isOpen() || !reached.add(s.peer())) {
        continue; // no hello yet, or a second connection to a peer that has it already
      }
      Link peer = e.getKey();
      framesOut++;
      bytesOut += frame.remaining();
      peer.transport().send(peer.peer(), frame.duplicate()).whenComplete((v, t) -> {
        if (t != null) {
          LOG.log(Level.DEBUG, "ephemeral frame to {0} not sent: {1}", peer, t.getMessage());
        }
      });
    }
    return reached.size();
  }

  long framesOut() {
    return framesOut;
  }

  long bytesOut() {
    return bytesOut;
  }
}
