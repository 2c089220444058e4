package io.tandem.bench;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.automerge.ChangeHash;
import org.automerge.Document;
import org.automerge.ObjectId;
import org.automerge.SyncState;
import org.automerge.Transaction;

/**
 * Part 3's peer: Automerge's sync protocol between two documents that hold changes of {@code F}
 * actors (its feeds), after {@code U} actors changed on the peer's side. Both sides keep the
 * sync state of their last session, encoded and decoded as a device that persists it would.
 * Both generate and receive at once each leg, as two peers on a full-duplex link do.
 *
 * <p>The feeds' first changes are concurrent; one later write on the hub joins their heads, so
 * the history both sides start from has one head, as a document in use does.
 *
 * <p>A sync message carries the changes inside it; their raw bytes are subtracted so that, as
 * for Tandem, only the protocol's own bytes count.
 */
final class AutomergeReconnect implements AutoCloseable {

  private final int feeds;
  private final byte[] base;
  private long runs;

  AutomergeReconnect(int feeds) {
    this.feeds = feeds;
    Document hub = new Document();
    for (int i = 0; i < feeds; i++) {
      Document w = new Document(actor(i));
      Transaction tx = w.startTransaction();
      tx.set(ObjectId.ROOT, "f" + i, true);
      tx.commit();
      hub.applyEncodedChanges(w.encodeChangesSince(new ChangeHash[0]));
      w.free();
    }
    // The changes are concurrent, so the hub has F heads; the next write anywhere collapses
    // them into one, as it would in use: a device that merged and then wrote.
    Transaction tx = hub.startTransaction();
    tx.set(ObjectId.ROOT, "hub", true);
    tx.commit();
    base = hub.save();
    hub.free();
  }

  Handshake run(int updated) {
    long round = ++runs;
    Document device = Document.load(base);
    Document peer = Document.load(base);
    try {
      // The session before: both learn they are in sync, and keep that.
      SyncState[] s = {new SyncState(), new SyncState()};
      exchange(device, peer, s, null);
      byte[] deviceState = s[0].encode();
      byte[] peerState = s[1].encode();
      s[0].free();
      s[1].free();
      long changeBytes = 0;
      for (int i = 0; i < updated; i++) {
        // Actor i writes again, on top of what the peer holds.
        Document w = peer.fork(actor(i));
        ChangeHash[] heads = w.getHeads();
        Transaction tx = w.startTransaction();
        tx.set(ObjectId.ROOT, "f" + i + "." + round, true);
        tx.commit();
        byte[] change = w.encodeChangesSince(heads);
        w.free();
        peer.applyEncodedChanges(change);
        changeBytes += change.length;
      }
      SyncState[] again = {SyncState.decode(deviceState), SyncState.decode(peerState)};
      long[] sent = exchange(device, peer, again, peer.getHeads());
      again[0].free();
      again[1].free();
      return new Handshake(feeds, updated, "sync", sent[0] - changeBytes, sent[1],
          sent[2] / 2.0, sent[3] / 2.0, Map.of("sync", sent[0] - changeBytes));
    } finally {
      device.free();
      peer.free();
    }
  }

  /**
   * Runs legs until neither side has anything to say.
   *
   * @return bytes, messages, legs, and the leg after which the device held {@code target}
   */
  private static long[] exchange(Document device, Document peer, SyncState[] s,
      ChangeHash[] target) {
    long bytes = 0;
    long messages = 0;
    long legs = 0;
    long caught = target == null || holds(device, target) ? 0 : -1;
    for (; legs < 100; ) {
      Optional<byte[]> toPeer = device.generateSyncMessage(s[0]);
      Optional<byte[]> toDevice = peer.generateSyncMessage(s[1]);
      if (toPeer.isEmpty() && toDevice.isEmpty()) {
        return new long[] {bytes, messages, legs, caught};
      }
      legs++;
      for (byte[] m : List.of(toPeer, toDevice).stream().flatMap(Optional::stream).toList()) {
        bytes += m.length;
        messages++;
      }
      toPeer.ifPresent(m -> peer.receiveSyncMessage(s[1], m));
      toDevice.ifPresent(m -> device.receiveSyncMessage(s[0], m));
      if (caught < 0 && holds(device, target)) {
        caught = legs;
      }
    }
    throw new IllegalStateException("automerge sync did not settle in 100 legs");
  }

  private static boolean holds(Document d, ChangeHash[] target) {
    Set<ByteBuffer> mine = new HashSet<>();
    for (ChangeHash h : d.getHeads()) {
      mine.add(ByteBuffer.wrap(h.getBytes()));
    }
    return Arrays.stream(target).allMatch(h -> mine.contains(ByteBuffer.wrap(h.getBytes())));
  }

  private static byte[] actor(int i) {
    return ByteBuffer.allocate(16).putLong(0x7EED_0000_0000_0000L).putLong(i + 1L).array();
  }

  @Override
  public void close() {}
}
