package io.tandem.bench;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire of the MVDS baseline, as the published specification (vac 2/MVDS, stable) defines
 * it: a protocol-buffers {@code Payload} of four repeated fields, encoded here by hand, byte for
 * byte as protobuf v3 would, so that every field tag, length prefix and varint is counted.
 *
 * <pre>
 * message Payload { repeated bytes acks = 5001; repeated bytes offers = 5002;
 *                   repeated bytes requests = 5003; repeated Message messages = 5004; }
 * message Message { bytes group_id = 6001; int64 timestamp = 6002; bytes body = 6003; }
 * </pre>
 * A message id is {@code sha256("MESSAGE_ID" ‖ group_id ‖ timestamp ‖ body)}, 32 bytes; the
 * timestamp enters the hash as its eight big-endian bytes. Nothing of Tandem's codec is used.
 */
final class MvdsMessages {

  static final int ID_BYTES = 32;

  private static final int ACKS = 5001;
  private static final int OFFERS = 5002;
  private static final int REQUESTS = 5003;
  private static final int MESSAGES = 5004;
  private static final int GROUP_ID = 6001;
  private static final int TIMESTAMP = 6002;
  private static final int BODY = 6003;
  private static final int VARINT = 0;
  private static final int LENGTH_DELIMITED = 2;

  private MvdsMessages() {}

  /** A 32-byte message id, compared by content. */
  record Id(ByteBuffer bytes) {
    Id {
      if (bytes.remaining() != ID_BYTES) {
        throw new IllegalArgumentException("a message id has 32 bytes: " + bytes.remaining());
      }
      bytes = bytes.asReadOnlyBuffer();
    }

    byte[] toArray() {
      byte[] a = new byte[ID_BYTES];
      bytes.duplicate().get(a);
      return a;
    }
  }

  /** One application message of a group; its id is the hash of all three fields. */
  record Message(byte[] groupId, long timestamp, byte[] body) {
    Id id() {
      try {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update("MESSAGE_ID".getBytes(StandardCharsets.US_ASCII));
        sha.update(groupId);
        sha.update(ByteBuffer.allocate(Long.BYTES).putLong(timestamp).array());
        sha.update(body);
        return new Id(ByteBuffer.wrap(sha.digest()));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JDK has SHA-256", e);
      }
    }
  }

  /** What one node sends one peer in one epoch: every record for that peer, at most once. */
  record Payload(List<Id> acks, List<Id> offers, List<Id> requests, List<Message> messages) {
    Payload {
      acks = List.copyOf(acks);
      offers = List.copyOf(offers);
      requests = List.copyOf(requests);
      messages = List.copyOf(messages);
    }

    boolean isEmpty() {
      return acks.isEmpty() && offers.isEmpty() && requests.isEmpty() && messages.isEmpty();
    }
  }

  static ByteBuffer encode(Payload p) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.acks().forEach(id -> bytesField(out, ACKS, id.toArray()));
    p.offers().forEach(id -> bytesField(out, OFFERS, id.toArray()));
    p.requests().forEach(id -> bytesField(out, REQUESTS, id.toArray()));
    for (Message m : p.messages()) {
      ByteArrayOutputStream inner = new ByteArrayOutputStream();
      bytesField(inner, GROUP_ID, m.groupId());
      if (m.timestamp() != 0) { // proto3 leaves default scalars out
        tag(inner, TIMESTAMP, VARINT);
        varint(inner, m.timestamp());
      }
      bytesField(inner, BODY, m.body());
      bytesField(out, MESSAGES, inner.toByteArray());
    }
    return ByteBuffer.wrap(out.toByteArray());
  }

  /**
   * Reads a payload.
   *
   * @throws IllegalArgumentException if the bytes are not a payload of this schema
   */
  static Payload decode(ByteBuffer in) {
    List<Id> acks = new ArrayList<>();
    List<Id> offers = new ArrayList<>();
    List<Id> requests = new ArrayList<>();
    List<Message> messages = new ArrayList<>();
    ByteBuffer b = in.duplicate();
    while (b.hasRemaining()) {
      long key = readVarint(b);
      int field = (int) (key >>> 3);
      if ((key & 7) != LENGTH_DELIMITED) {
        throw new IllegalArgumentException("payload field " + field + " is not length-delimited");
      }
      ByteBuffer value = slice(b);
      switch (field) {
        case ACKS -> acks.add(new Id(value));
        case OFFERS -> offers.add(new Id(value));
        case REQUESTS -> requests.add(new Id(value));
        case MESSAGES -> messages.add(message(value));
        default -> throw new IllegalArgumentException("unknown payload field " + field);
      }
    }
    return new Payload(acks, offers, requests, messages);
  }

  private static Message message(ByteBuffer b) {
    byte[] group = new byte[0];
    byte[] body = new byte[0];
    long timestamp = 0;
    while (b.hasRemaining()) {
      long key = readVarint(b);
      int field = (int) (key >>> 3);
      if (field == TIMESTAMP && (key & 7) == VARINT) {
        timestamp = readVarint(b);
      } else if ((field == GROUP_ID || field == BODY) && (key & 7) == LENGTH_DELIMITED) {
        ByteBuffer v = slice(b);
        byte[] a = new byte[v.remaining()];
        v.get(a);
        if (field == GROUP_ID) {
          group = a;
        } else {
          body = a;
        }
      } else {
        throw new IllegalArgumentException("bad message field " + field);
      }
    }
    return new Message(group, timestamp, body);
  }

  private static ByteBuffer slice(ByteBuffer b) {
    long len = readVarint(b);
    if (len < 0 || len > b.remaining()) {
      throw new IllegalArgumentException("length " + len + " runs past the payload");
    }
    ByteBuffer v = b.slice();
    v.limit((int) len);
    b.position(b.position() + (int) len);
    return v;
  }

  private static void bytesField(ByteArrayOutputStream out, int field, byte[] value) {
    tag(out, field, LENGTH_DELIMITED);
    varint(out, value.length);
    out.writeBytes(value);
  }

  private static void tag(ByteArrayOutputStream out, int field, int wireType) {
    varint(out, ((long) field << 3) | wireType);
  }

  private static void varint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  private static long readVarint(ByteBuffer b) {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!b.hasRemaining()) {
        throw new IllegalArgumentException("truncated varint");
      }
      byte x = b.get();
      v |= (long) (x & 0x7F) << shift;
      if (x >= 0) {
        return v;
      }
    }
    throw new IllegalArgumentException("varint longer than 10 bytes");
  }
}
