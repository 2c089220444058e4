package io.tandem.replication.protocol;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The sync protocol's messages, all of them. One session per peer exchanges them:
 * <ol>
 *   <li>{@link Hello} both ways: protocol version and replica id; nothing else is accepted first.
 *   <li>{@link Summary}: the sender's version vector, whole or as the entries that differ from a
 *       base both peers saved when they last met (see {@link io.tandem.replication.spi.SyncBase}).
 *   <li>{@link Deltas}: records the receiver lacks, in feed order, in bounded batches.
 *   <li>{@link Ack}: the entries of the sender's vector that grew by receiving deltas.
 *   <li>{@link Offer} and {@link Request}: in interactive mode, ids first, deltas on request.
 *   <li>{@link SnapshotOffer}, {@link SnapshotFetch} and {@link SnapshotChunk}: for a peer that
 *       lacks records compacted away, the snapshot in verified chunks, then the tail as usual.
 *   <li>{@link Resend}: records the sender received and dropped (its causal buffer was full),
 *       asked for again once they can apply.
 *   <li>{@link Ephemeral}: an app's message for the peer's listeners only (presence,
 *       "typing…"), outside the log: never stored, acknowledged, resent or relayed.
 * </ol>
 * Every counter is absolute, never a difference, so a lost or repeated message only delays.
 */
public sealed interface Message {

  /**
   * The protocol version this build speaks. Version 5 added {@link Ephemeral}, version 6
   * {@link Resend}, version 7 {@link Prune}: an older peer would close the session on the unknown
   * type, so peers of two versions refuse each other at the hello instead (docs/PROTOCOL.md,
   * "Ephemeral messages").
   */
  int VERSION = 7;

  /**
   * Opens a session: who is speaking and which protocol. {@code heardYou} says the sender has the
   * receiver's hello; a hello without it is answered with one, so a lost hello is recovered
   * without two peers trading hellos for ever. {@code relay} says the sender is a relay (an
   * always-online replica that stores and forwards for devices), which peers prefer as the path
   * of records between devices (see {@link SessionConfig#relay()}).
   */
  record Hello(int version, ReplicaId replica, boolean interactive, boolean heardYou,
      boolean relay) implements Message {
    public Hello {
      Objects.requireNonNull(replica, "replica");
    }

    /** A hello of a device, not a relay. */
    public Hello(int version, ReplicaId replica, boolean interactive, boolean heardYou) {
      this(version, replica, interactive, heardYou, false);
    }
  }

  /**
   * What the sender holds: per origin, the highest gap-free sequence number.
   *
   * <p>Whole when {@code base} is {@link #WHOLE}: {@code vector} is all of it. Otherwise a patch:
   * the sender's vector is the base named by the hash {@code base} (what the sender told the
   * receiver so far) with the entries of {@code vector} and of {@code indexed} (positions in the
   * base's sorted origins) put in. A receiver without that base asks for the whole one
   * ({@link #WANT_WHOLE}). {@link #RESET} says the receiver must forget what it believed the
   * sender holds and take this instead.
   */
  record Summary(long base, VersionVector vector, IndexedEntries indexed, int flags)
      implements Message {

    /** {@code base} of a whole summary. */
    public static final long WHOLE = 0;
    /** Flag: the sender lacks the base the receiver named; send the whole vector. */
    public static final int WANT_WHOLE = 1;
    /** Flag: this whole summary replaces what the receiver believed, it does not add to it. */
    public static final int RESET = 2;

    public Summary {
      Objects.requireNonNull(vector, "vector");
      Objects.requireNonNull(indexed, "indexed");
      if ((flags & ~(WANT_WHOLE | RESET)) != 0) {
        throw new IllegalArgumentException("unknown summary flags " + flags);
      }
      if (base == WHOLE && !indexed.isEmpty()) {
        throw new IllegalArgumentException("a whole summary names no positions");
      }
      if ((flags & WANT_WHOLE) != 0 && (flags != WANT_WHOLE || base != WHOLE
          || !vector.isEmpty())) {
        throw new IllegalArgumentException("a request for the whole vector carries nothing else");
      }
    }

    /** The whole vector. */
    public Summary(VersionVector vector) {
      this(WHOLE, vector, IndexedEntries.NONE, 0);
    }

    public boolean isWhole() {
      return base == WHOLE;
    }

    /** A request for the whole vector; it says nothing of what its sender holds. */
    public static Summary wantWhole() {
      return new Summary(WHOLE, VersionVector.empty(), IndexedEntries.NONE, WANT_WHOLE);
    }
  }

  /**
   * What the sender now holds durably, for the feeds that grew: {@code vector} spelled out, and
   * {@code indexed} named by position in the origins of the vector whose hash is
   * {@code dictionary} (the base or whole vector of the sender's latest summary).
   */
  record Ack(VersionVector vector, long dictionary, IndexedEntries indexed) implements Message {
    public Ack {
      Objects.requireNonNull(vector, "vector");
      Objects.requireNonNull(indexed, "indexed");
      if (indexed.isEmpty() != (dictionary == Summary.WHOLE)) {
        throw new IllegalArgumentException("positions need a dictionary and nothing else does");
      }
    }

    /** Entries spelled out in full. */
    public Ack(VersionVector vector) {
      this(vector, Summary.WHOLE, IndexedEntries.NONE);
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

  /**
   * Records the sender wants: {@code ranges} spelled out, and {@code indexed} named by position
   * in the origins of the receiver's dictionary (the base or whole vector of its latest summary),
   * each entry's counter the first seq wanted, up to all the receiver holds. {@code tag} is the
   * low byte of that dictionary's hash: a receiver whose dictionary has another tag ignores the
   * positions (its offer is resent, so this only delays); one whose dictionary changed to another
   * with the same tag may send records of the wrong feeds, which costs bytes, never data: every
   * record it sends is one it holds.
   */
  record Request(List<Range> ranges, int tag, IndexedEntries indexed) implements Message {
    public Request {
      ranges = List.copyOf(ranges);
      Objects.requireNonNull(indexed, "indexed");
      if (tag < 0 || tag > 255 || indexed.isEmpty() && tag != 0) {
        throw new IllegalArgumentException("bad request tag " + tag);
      }
    }

    /** Ranges spelled out. */
    public Request(List<Range> ranges) {
      this(ranges, 0, IndexedEntries.NONE);
    }
  }

  /**
   * Records of {@code ranges} the sender received from the receiver and dropped unapplied (its
   * causal buffer was full), now the next it would apply: the receiver sends each range again
   * from its start, as it sent it before (pushed, or served on request). It never names the
   * sender's own feed, which the sender holds whole; a receiver ignores such a range.
   */
  record Resend(List<Range> ranges) implements Message {
    public Resend {
      ranges = List.copyOf(ranges);
    }
  }

  /**
   * Records of {@code ranges}, of third replicas' feeds, that the sender received from the
   * receiver although it held them already, from their author, with whom it has a session of its
   * own: the receiver holds those feeds back from the sender as if the sender's ack had shown the
   * other path, and pushes them again only if the sender then lacks their records for a grace.
   * The lazy push of Plumtree's PRUNE (Leitão, Pereira, Rodrigues, Epidemic Broadcast Trees,
   * 2007), per feed. Ranges of the sender's or the receiver's own feed are ignored.
   */
  record Prune(List<Range> ranges) implements Message {
    public Prune {
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

  /**
   * The sender's snapshot, for a receiver that lacks records it no longer logs: the snapshot's
   * vector, the length and SHA-256 of its encoding, and the SHA-256 of each {@code chunkBytes}
   * chunk (the last may be shorter), so each chunk is verified as it arrives.
   */
  record SnapshotOffer(VersionVector vector, long size, byte[] hash, int chunkBytes,
      List<byte[]> chunkHashes) implements Message {
    public SnapshotOffer {
      Objects.requireNonNull(vector, "vector");
      chunkHashes = List.copyOf(chunkHashes);
      if (size < 1 || chunkBytes < 1 || hash.length != HASH_BYTES
          || chunkHashes.size() != (size + chunkBytes - 1) / chunkBytes
          || chunkHashes.stream().anyMatch(h -> h.length != HASH_BYTES)) {
        throw new IllegalArgumentException("inconsistent snapshot offer of " + size + " bytes in "
            + chunkHashes.size() + " chunks of " + chunkBytes);
      }
    }

    /** The length of the chunk at {@code offset}. */
    public int chunkLength(long offset) {
      return (int) Math.min(chunkBytes, size - offset);
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof SnapshotOffer other) || size != other.size
          || chunkBytes != other.chunkBytes || !vector.equals(other.vector)
          || !Arrays.equals(hash, other.hash)) {
        return false;
      }
      for (int i = 0; i < chunkHashes.size(); i++) {
        if (!Arrays.equals(chunkHashes.get(i), other.chunkHashes.get(i))) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      return Objects.hash(vector, size, chunkBytes) * 31 + Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
      return "SnapshotOffer[" + vector + ", " + size + " B in " + chunkHashes.size()
          + " chunks, " + HexFormat.of().formatHex(hash, 0, 4) + "]";
    }
  }

  /** Asks for the chunk at {@code offset} of the snapshot with {@code hash}. */
  record SnapshotFetch(byte[] hash, long offset) implements Message {
    public SnapshotFetch {
      if (hash.length != HASH_BYTES || offset < 0) {
        throw new IllegalArgumentException("bad snapshot fetch at " + offset);
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SnapshotFetch f && offset == f.offset && Arrays.equals(hash, f.hash);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(offset) * 31 + Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
      return "SnapshotFetch[" + HexFormat.of().formatHex(hash, 0, 4) + " @" + offset + "]";
    }
  }

  /** Bytes {@code offset..offset+bytes.length} of the snapshot with {@code hash}. */
  record SnapshotChunk(byte[] hash, long offset, byte[] bytes) implements Message {
    public SnapshotChunk {
      if (hash.length != HASH_BYTES || offset < 0) {
        throw new IllegalArgumentException("bad snapshot chunk at " + offset);
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SnapshotChunk c && offset == c.offset && Arrays.equals(hash, c.hash)
          && Arrays.equals(bytes, c.bytes);
    }

    @Override
    public int hashCode() {
      return (Long.hashCode(offset) * 31 + Arrays.hashCode(hash)) * 31 + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "SnapshotChunk[" + HexFormat.of().formatHex(hash, 0, 4) + " @" + offset + ", "
          + bytes.length + " B]";
    }
  }

  /**
   * An app's message for the peer's listeners (presence, "typing…"), best effort. It is outside
   * the log: never stored, acknowledged, resent, or passed on to a third replica; its origin is
   * the session's peer, so it names none. {@code seq} grows with every publish of its sender
   * (one count for all its peers); a receiver delivers, per session, only what is above the last
   * it delivered, so a duplicated or overtaken message is dropped, never shown twice or stale.
   *
   * <p>Law: {@code seq ≥ 1}; {@code topic} is 1–{@value #MAX_TOPIC_BYTES} bytes of well-formed
   * UTF-8; {@code payload} at most {@value #MAX_PAYLOAD_BYTES} bytes. The record does not copy
   * {@code payload}: the channel copies at the app's side.
   */
  record Ephemeral(long seq, String topic, byte[] payload) implements Message {

    /** The longest topic, in UTF-8 bytes. */
    public static final int MAX_TOPIC_BYTES = 255;
    /** The largest payload: presence and typing state, not a file transfer. */
    public static final int MAX_PAYLOAD_BYTES = 64 * 1024;

    public Ephemeral {
      if (seq < 1) {
        throw new IllegalArgumentException("ephemeral seq must be positive: " + seq);
      }
      int n = topicBytes(topic);
      if (n < 1 || n > MAX_TOPIC_BYTES) {
        throw new IllegalArgumentException("topic must be 1-" + MAX_TOPIC_BYTES
            + " UTF-8 bytes, not " + n);
      }
      Objects.requireNonNull(payload, "payload");
      if (payload.length > MAX_PAYLOAD_BYTES) {
        throw new IllegalArgumentException("ephemeral payload of " + payload.length
            + " bytes, above " + MAX_PAYLOAD_BYTES);
      }
    }

    /**
     * The length of {@code topic} in UTF-8.
     *
     * @throws IllegalArgumentException if it holds a lone surrogate, which UTF-8 cannot carry
     */
    public static int topicBytes(String topic) {
      Objects.requireNonNull(topic, "topic");
      try {
        return StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(topic)).remaining();
      } catch (CharacterCodingException e) {
        throw new IllegalArgumentException("topic is not well-formed Unicode: " + topic, e);
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Ephemeral e && seq == e.seq && topic.equals(e.topic)
          && Arrays.equals(payload, e.payload);
    }

    @Override
    public int hashCode() {
      return (Long.hashCode(seq) * 31 + topic.hashCode()) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
      return "Ephemeral[#" + seq + " " + topic + ", " + payload.length + " B]";
    }
  }

  /** The length of a SHA-256. */
  int HASH_BYTES = 32;
}
