package io.tandem.replication.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.protocol.Message.SnapshotChunk;
import io.tandem.replication.protocol.Message.SnapshotFetch;
import io.tandem.replication.protocol.Message.SnapshotOffer;
import io.tandem.replication.protocol.ProtocolException.Reason;
import io.tandem.replication.protocol.SnapshotDownload.Outcome;
import io.tandem.replication.spi.SnapshotCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The snapshot transfer's messages on the wire, and a download taking chunks: only the chunk
 * the offer's hash list vouches for, at the offset where the verified bytes end, is kept.
 */
class SnapshotWireTest {

  private static final ReplicaId A = ReplicaId.of(0xa);
  private static final ProtocolLimits LIMITS = new ProtocolLimits(1 << 16, 100, 100, 64);

  private static byte[] snapshotBytes(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  static SnapshotOffer offerFor(byte[] bytes, int chunk) {
    List<byte[]> hashes = new ArrayList<>();
    for (int at = 0; at < bytes.length; at += chunk) {
      hashes.add(SnapshotCodec.sha256(bytes, at, Math.min(chunk, bytes.length - at)));
    }
    return new SnapshotOffer(VersionVector.of(A, 7), bytes.length, SnapshotCodec.sha256(bytes),
        chunk, hashes);
  }

  private static Message roundTrip(Message m) throws ProtocolException {
    return MessageCodec.decode(MessageCodec.encode(m), LIMITS);
  }

  @Test
  void offerFetchAndChunkRoundTrip() throws ProtocolException {
    byte[] bytes = snapshotBytes(200);
    SnapshotOffer o = offerFor(bytes, 64);
    SnapshotOffer back = (SnapshotOffer) roundTrip(o);
    assertThat(back.vector()).isEqualTo(o.vector());
    assertThat(back.size()).isEqualTo(200);
    assertThat(back.hash()).isEqualTo(o.hash());
    assertThat(back.chunkBytes()).isEqualTo(64);
    assertThat(back.chunkHashes()).hasSize(4);
    for (int i = 0; i < 4; i++) {
      assertThat(back.chunkHashes().get(i)).isEqualTo(o.chunkHashes().get(i));
    }
    SnapshotFetch f = (SnapshotFetch) roundTrip(new SnapshotFetch(o.hash(), 128));
    assertThat(f.offset()).isEqualTo(128);
    assertThat(f.hash()).isEqualTo(o.hash());
    SnapshotChunk c = (SnapshotChunk) roundTrip(new SnapshotChunk(o.hash(), 64,
        Arrays.copyOfRange(bytes, 64, 128)));
    assertThat(c.offset()).isEqualTo(64);
    assertThat(c.bytes()).isEqualTo(Arrays.copyOfRange(bytes, 64, 128));
  }

  @Test
  void offerWhoseChunkCountDisagreesWithItsSizeIsMalformed() {
    byte[] frame = bytes(MessageCodec.encode(offerFor(snapshotBytes(200), 64)));
    // The size is the varint after the vector: 200 encodes as two bytes (0xc8 0x01). Make it
    // claim 300 bytes, which would need five chunk hashes, not four.
    int at = indexOf(frame, new byte[] {(byte) 0xc8, 0x01});
    frame[at] = (byte) 0xac;
    frame[at + 1] = 0x02;
    assertThat(reason(frame)).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void chunkAboveTheLimitIsRefusedBeforeAllocation() {
    byte[] hash = new byte[32];
    byte[] frame = bytes(MessageCodec.encode(new SnapshotChunk(hash, 0, new byte[65])));
    assertThat(reason(frame)).isEqualTo(Reason.LIMIT_EXCEEDED);
    byte[] lying = bytes(MessageCodec.encode(new SnapshotChunk(hash, 0, new byte[10])));
    lying[lying.length - 11] = 60; // says 60 bytes follow; 10 do
    assertThat(reason(lying)).isEqualTo(Reason.TRUNCATED);
  }

  @Test
  void offerWithChunksAboveTheLimitIsRefused() {
    byte[] frame = bytes(MessageCodec.encode(offerFor(snapshotBytes(200), 100)));
    assertThat(reason(frame)).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void downloadKeepsOnlyVerifiedChunksInOrder() {
    byte[] bytes = snapshotBytes(200);
    SnapshotOffer o = offerFor(bytes, 64);
    SnapshotDownload d = SnapshotDownload.start(o, 0);
    assertThat(d.next().offset()).isZero();
    byte[] bad = Arrays.copyOfRange(bytes, 0, 64);
    bad[5] ^= 1;
    assertThat(d.accept(new SnapshotChunk(o.hash(), 0, bad), 1)).isEqualTo(Outcome.REJECTED);
    assertThat(d.accept(new SnapshotChunk(o.hash(), 256, new byte[1]), 1))
        .as("offset past the end").isEqualTo(Outcome.REJECTED);
    assertThat(d.accept(new SnapshotChunk(o.hash(), 0, Arrays.copyOfRange(bytes, 0, 65)), 1))
        .as("a chunk longer than the offer says").isEqualTo(Outcome.REJECTED);
    assertThat(d.accept(new SnapshotChunk(o.hash(), 64, Arrays.copyOfRange(bytes, 64, 128)), 1))
        .as("ahead of the verified bytes").isEqualTo(Outcome.IGNORED);
    assertThat(d.accept(new SnapshotChunk(new byte[32], 0, Arrays.copyOfRange(bytes, 0, 64)), 1))
        .as("another snapshot's").isEqualTo(Outcome.IGNORED);
    assertThat(d.verifiedBytes()).isZero();
    assertThat(d.next().offset()).as("the same chunk is fetched again").isZero();

    for (int at = 0; at < 192; at += 64) {
      assertThat(d.accept(new SnapshotChunk(o.hash(), at, Arrays.copyOfRange(bytes, at,
          at + 64)), 2)).isEqualTo(Outcome.VERIFIED);
    }
    assertThat(d.accept(new SnapshotChunk(o.hash(), 0, Arrays.copyOfRange(bytes, 0, 64)), 3))
        .as("a repeat").isEqualTo(Outcome.IGNORED);
    assertThat(d.accept(new SnapshotChunk(o.hash(), 192, Arrays.copyOfRange(bytes, 192, 200)),
        3)).isEqualTo(Outcome.COMPLETE);
    assertThat(d.bytes()).isEqualTo(bytes);
  }

  @Test
  void downloadWhoseWholeHashFailsStartsOverAndHandsNothingOut() {
    byte[] bytes = snapshotBytes(100);
    SnapshotOffer honest = offerFor(bytes, 64);
    byte[] wrongWhole = honest.hash().clone();
    wrongWhole[0] ^= 1;
    SnapshotOffer o = new SnapshotOffer(honest.vector(), 100, wrongWhole, 64,
        honest.chunkHashes());
    SnapshotDownload d = SnapshotDownload.start(o, 0);
    assertThat(d.accept(new SnapshotChunk(wrongWhole, 0, Arrays.copyOfRange(bytes, 0, 64)), 1))
        .isEqualTo(Outcome.VERIFIED);
    assertThat(d.accept(new SnapshotChunk(wrongWhole, 64, Arrays.copyOfRange(bytes, 64, 100)),
        1)).isEqualTo(Outcome.REJECTED);
    assertThat(d.verifiedBytes()).isZero();
    assertThatThrownBy(d::bytes).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void resumedDownloadKeepsOnlyTheKeptChunksThatStillVerify() {
    byte[] bytes = snapshotBytes(200);
    SnapshotOffer o = offerFor(bytes, 64);
    byte[] kept = Arrays.copyOf(bytes, 150); // two whole chunks and part of a third
    assertThat(SnapshotDownload.resume(o, kept, 0).verifiedBytes()).isEqualTo(128);
    kept[70] ^= 1; // damage on disk in the second chunk
    assertThat(SnapshotDownload.resume(o, kept, 0).verifiedBytes()).isEqualTo(64);
  }

  private static Reason reason(byte[] frame) {
    try {
      MessageCodec.decode(ByteBuffer.wrap(frame), LIMITS);
      throw new AssertionError("decoded");
    } catch (ProtocolException e) {
      return e.reason();
    }
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }
}
