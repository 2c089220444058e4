package io.tandem.transport.vertx;

import io.tandem.crdt.VersionVector;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.protocol.Message;
import io.tandem.replication.protocol.MessageCodec;
import io.tandem.replication.protocol.ProtocolException;
import io.tandem.replication.protocol.ProtocolLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;

/**
 * Hostile wire items for the live fuzz, each the exact bytes written to the socket: half are
 * valid frames mutated, three in ten random bytes in a frame, two in ten crafted lies (length
 * prefixes above the maximum or above what follows, and counts above the bytes that follow).
 *
 * <p>A mutation may, by chance, yield a well-formed frame carrying a record the victim lacks;
 * that would be honest new data, not an attack, so such a frame is replaced by the seed it came
 * from (a replay, which must change nothing).
 */
final class FuzzFrames {

  enum Kind { MUTATED, RANDOM, CRAFTED }

  record Item(Kind kind, byte[] wire) {}

  private final Random random;
  private final List<byte[]> seeds;
  private final List<byte[]> hostileFiles;
  private final VersionVector victimHolds;
  private final int maxFrameBytes;

  FuzzFrames(long seed, List<Message> valid, List<byte[]> hostileFiles, VersionVector victimHolds,
      int maxFrameBytes) {
    this.random = new Random(seed);
    this.seeds = valid.stream().map(m -> RawPeer.bytes(MessageCodec.encode(m))).toList();
    this.hostileFiles = List.copyOf(hostileFiles);
    this.victimHolds = victimHolds;
    this.maxFrameBytes = maxFrameBytes;
  }

  Item next() {
    int roll = random.nextInt(10);
    if (roll < 5) {
      return new Item(Kind.MUTATED, framed(mutated()));
    }
    if (roll < 8) {
      byte[] body = new byte[1 + random.nextInt(random.nextInt(8) == 0 ? 4096 : 64)];
      random.nextBytes(body);
      return new Item(Kind.RANDOM, framed(newData(body) ? seeds.get(0) : body));
    }
    return new Item(Kind.CRAFTED, crafted());
  }

  private byte[] mutated() {
    byte[] seed = seeds.get(random.nextInt(seeds.size()));
    byte[] b = seed.clone();
    int n = 1 + random.nextInt(4);
    for (int i = 0; i < n && b.length > 0; i++) {
      int at = random.nextInt(b.length);
      switch (random.nextInt(5)) {
        case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
        case 1 -> b[at] = (byte) random.nextInt(256);
        case 2 -> b = java.util.Arrays.copyOf(b, Math.max(1, at));
        case 3 -> b = splice(b, at, new byte[] {(byte) random.nextInt(256)});
        default -> b = splice(b, at, java.util.Arrays.copyOfRange(b, at,
            Math.min(b.length, at + 1 + random.nextInt(8))));
      }
    }
    return newData(b) ? seed : b;
  }

  private byte[] crafted() {
    switch (random.nextInt(4)) {
      case 0:
        // A length prefix above the maximum: refused at the length.
        long over = maxFrameBytes + 1L + (random.nextBoolean() ? 0 : random.nextInt(1 << 30));
        return ByteBuffer.allocate(4).putInt((int) over).array();
      case 1: {
        // A length prefix above the bytes that follow: the next items are read as its body.
        byte[] some = new byte[random.nextInt(32)];
        random.nextBytes(some);
        return ByteBuffer.allocate(4 + some.length)
            .putInt(some.length + 1 + random.nextInt(4096)).put(some).array();
      }
      case 2:
        return framed(hostileFiles.get(random.nextInt(hostileFiles.size())));
      default: {
        // A deltas message whose record count (a varint up to 2^63) dwarfs the frame.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(seeds.get(seeds.size() - 1)[0]);
        long count = 2 + (random.nextLong() >>> (1 + random.nextInt(62)));
        while ((count & ~0x7fL) != 0) {
          out.write((int) ((count & 0x7f) | 0x80));
          count >>>= 7;
        }
        out.write((int) count);
        byte[] tail = new byte[random.nextInt(16)];
        random.nextBytes(tail);
        out.write(tail, 0, tail.length);
        return framed(out.toByteArray());
      }
    }
  }

  /** Whether {@code body} decodes to deltas carrying a record the victim does not hold. */
  private boolean newData(byte[] body) {
    try {
      Message m = MessageCodec.decode(ByteBuffer.wrap(body), ProtocolLimits.DEFAULT);
      if (m instanceof Message.Deltas d) {
        for (DeltaRecord r : d.records()) {
          if (r.seq() > victimHolds.get(r.origin())) {
            return true;
          }
        }
      }
      return false;
    } catch (ProtocolException | RuntimeException refused) {
      return false;
    }
  }

  private static byte[] framed(byte[] body) {
    return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
  }

  private static byte[] splice(byte[] b, int at, byte[] insert) {
    byte[] out = new byte[b.length + insert.length];
    System.arraycopy(b, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(b, at, out, at + insert.length, b.length - at);
    return out;
  }

  static byte[] concat(List<byte[]> parts) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.write(p);
    }
    return out.toByteArray();
  }
}
