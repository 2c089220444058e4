package io.tandem.bench;

import io.tandem.bench.MvdsMessages.Id;
import io.tandem.bench.MvdsMessages.Message;
import io.tandem.bench.MvdsMessages.Payload;
import io.tandem.replication.spi.PeerId;
import io.tandem.replication.spi.PeerListener;
import io.tandem.replication.spi.Scheduler;
import io.tandem.replication.spi.Transport;
import io.tandem.replication.spi.WallClock;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One node of the MVDS baseline (Minimum Viable Data Synchronization, vac 2/MVDS), written from
 * the published specification for this benchmark and sharing no code with Tandem's protocol.
 *
 * <p>Per peer the node keeps {@code state}: OFFER, REQUEST and MESSAGE records with a send count
 * and a send epoch. Once per epoch it sends each peer one payload holding the ACKs it owes and
 * every record whose send epoch has come, and then pushes that record's send epoch back
 * (see {@link #nextSendEpoch}). In batch mode a new message goes out as a MESSAGE at once; in
 * interactive mode it is first OFFERed, the peer REQUESTs it, and only then does the MESSAGE
 * travel. A received MESSAGE is ACKed every time (ACKs are never retransmitted) and, if new, is
 * shared with every other peer of the group, as the reference implementation does.
 *
 * <p>Two points the specification leaves open, decided in the baseline's favour: an OFFER of a
 * message the node already holds is answered with an ACK ("the sender holds a specific
 * message"), and an ACK clears whatever record the node keeps for that message and peer, so a
 * node is never stuck offering what its peer already has. The node does not know whether a peer
 * is reachable: it sends into the network, as MVDS does, and the network may lose the payload.
 */
final class Mvds implements PeerListener {

  /** MVDS' published setting: one epoch a second. */
  static final long EPOCH_MILLIS = 1_000;

  /** Backoff doubles up to 2^6 = 64 epochs, then starts again at one. */
  static final int MAX_BACKOFF_EXPONENT = 6;

  enum Mode { BATCH, INTERACTIVE }

  enum Type { OFFER, REQUEST, MESSAGE }

  /** What the node keeps per peer and message: the specification's state record. */
  record Entry(Type type, int sendCount, long sendEpoch) {}

  private final Mode mode;
  private final byte[] groupId;
  private final List<PeerId> peers;
  private final Transport transport;
  private final WallClock clock;
  private final Consumer<Message> onNew;
  private final Map<Id, Message> store = new HashMap<>();
  private final Map<PeerId, Map<Id, Entry>> state = new LinkedHashMap<>();
  private final Map<PeerId, Set<Id>> acks = new HashMap<>();
  private long epoch;

  /**
   * @param peers the peers this node shares the group with
   * @param onNew told of every message this node stores for the first time, its own included
   */
  Mvds(Mode mode, byte[] groupId, List<PeerId> peers, Transport transport, WallClock clock,
      Consumer<Message> onNew) {
    this.mode = mode;
    this.groupId = groupId.clone();
    this.peers = List.copyOf(peers);
    this.transport = transport;
    this.clock = clock;
    this.onNew = onNew;
    for (PeerId p : peers) {
      state.put(p, new LinkedHashMap<>());
      acks.put(p, new LinkedHashSet<>());
    }
  }

  /**
   * The epoch after which a record sent for the {@code sendCount}-th time is sent again:
   * exponentially later each time, up to {@link #MAX_BACKOFF_EXPONENT}, then back to the next
   * epoch, as the specification asks so that send epochs never grow without bound.
   */
  static long nextSendEpoch(long epoch, int sendCount) {
    if (sendCount < 1) {
      throw new IllegalArgumentException("a record that was sent has a send count of at least 1");
    }
    return epoch + (1L << ((sendCount - 1) % (MAX_BACKOFF_EXPONENT + 1)));
  }

  /** Starts the epoch clock: the first epoch ends {@code phaseMillis} from now. */
  void start(Scheduler scheduler, long phaseMillis) {
    transport.start(this);
    scheduler.schedule(phaseMillis, new Runnable() {
      @Override
      public void run() {
        tick();
        scheduler.schedule(EPOCH_MILLIS, this);
      }
    });
  }

  /** Appends a message of this node to the group and shares it with every peer. */
  Message append(byte[] body) {
    Message m = new Message(groupId, clock.millis() / 1_000, body);
    Id id = m.id();
    store.put(id, m);
    onNew.accept(m);
    for (PeerId p : peers) {
      due(p, id, mode == Mode.BATCH ? Type.MESSAGE : Type.OFFER);
    }
    return m;
  }

  boolean holds(Id id) {
    return store.containsKey(id);
  }

  /** Records still waiting for their peer's answer, over all peers. */
  int pending() {
    return state.values().stream().mapToInt(Map::size).sum();
  }

  Entry entry(PeerId peer, Id id) {
    return state.get(peer).get(id);
  }

  /** One epoch: one payload per peer with everything owed to it, then the next epoch. */
  void tick() {
    for (PeerId p : peers) {
      List<Id> offers = new ArrayList<>();
      List<Id> requests = new ArrayList<>();
      List<Message> messages = new ArrayList<>();
      for (Map.Entry<Id, Entry> e : state.get(p).entrySet()) {
        Entry r = e.getValue();
        if (r.sendEpoch() > epoch) {
          continue;
        }
        switch (r.type()) {
          case OFFER -> offers.add(e.getKey());
          case REQUEST -> requests.add(e.getKey());
          case MESSAGE -> messages.add(store.get(e.getKey()));
          default -> throw new IllegalStateException();
        }
        int count = r.sendCount() + 1;
        e.setValue(new Entry(r.type(), count, nextSendEpoch(epoch, count)));
      }
      Payload payload = new Payload(List.copyOf(acks.get(p)), offers, requests, messages);
      acks.get(p).clear();
      if (!payload.isEmpty()) {
        transport.send(p, MvdsMessages.encode(payload)); // lost or not, MVDS cannot tell
      }
    }
    epoch++;
  }

  @Override
  public void peerUp(PeerId peer) {}

  @Override
  public void peerDown(PeerId peer) {}

  @Override
  public void frame(PeerId from, ByteBuffer frame) {
    Map<Id, Entry> forPeer = state.get(from);
    if (forPeer == null) {
      return; // not a peer of this group
    }
    Payload p = MvdsMessages.decode(frame);
    for (Id id : p.acks()) {
      forPeer.remove(id);
    }
    for (Id id : p.offers()) {
      if (store.containsKey(id)) {
        acks.get(from).add(id);
      } else {
        due(from, id, Type.REQUEST);
      }
    }
    for (Id id : p.requests()) {
      if (store.containsKey(id)) {
        Entry was = forPeer.get(id);
        forPeer.put(id, new Entry(Type.MESSAGE,
            was != null && was.type() == Type.MESSAGE ? was.sendCount() : 0, epoch));
      }
    }
    for (Message m : p.messages()) {
      Id id = m.id();
      acks.get(from).add(id);
      Entry was = forPeer.get(id);
      if (was != null && was.type() == Type.REQUEST) {
        forPeer.remove(id);
      }
      if (store.putIfAbsent(id, m) == null) {
        onNew.accept(m);
        for (PeerId other : peers) {
          if (!other.equals(from)) {
            due(other, id, mode == Mode.BATCH ? Type.MESSAGE : Type.OFFER);
          }
        }
      }
    }
  }

  /** Puts a record in the next payload to {@code peer}, keeping its send count if it had one. */
  private void due(PeerId peer, Id id, Type type) {
    Entry was = state.get(peer).get(id);
    int count = was != null && was.type() == type ? was.sendCount() : 0;
    state.get(peer).put(id, new Entry(type, count, epoch));
  }
}
