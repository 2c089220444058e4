package io.tandem.replication.protocol;

import io.tandem.replication.protocol.Message.SnapshotChunk;
import io.tandem.replication.protocol.Message.SnapshotFetch;
import io.tandem.replication.protocol.Message.SnapshotOffer;
import io.tandem.replication.spi.SnapshotCodec;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * One snapshot being fetched, without I/O: the offer it answers and the bytes verified so far, a
 * prefix of the snapshot's encoding ending on a chunk boundary.
 *
 * <p>A chunk is taken only where the verified bytes end, only at the length the offer implies,
 * and only if its SHA-256 is the one the offer listed for it; anything else is rejected or
 * ignored and the same chunk is fetched again, so a broken transfer resumes from its last
 * verified chunk. Once every chunk is in, the whole is checked against the offer's hash; if that
 * fails the download starts over, and nothing of it is ever handed out.
 */
public final class SnapshotDownload {

  /** What became of a chunk. */
  public enum Outcome {
    /** Verified and kept; fetch the next one. */
    VERIFIED,
    /** The last chunk, and the whole verified: {@link #bytes()} holds the snapshot. */
    COMPLETE,
    /** Refused (bad hash, wrong length, offset past the end, whole hash wrong): fetch again. */
    REJECTED,
    /** Another snapshot's, or a repeat of a chunk already held: no effect. */
    IGNORED
  }

  private final SnapshotOffer offer;
  private final ByteArrayOutputStream verified = new ByteArrayOutputStream();
  private String reason = "";
  private long lastProgress;

  private SnapshotDownload(SnapshotOffer offer, long now) {
    this.offer = offer;
    this.lastProgress = now;
  }

  public static SnapshotDownload start(SnapshotOffer offer, long now) {
    return new SnapshotDownload(offer, now);
  }

  /**
   * Resumes from bytes kept across a restart. They came from disk, so each chunk is verified
   * again; the download resumes after the longest run of chunks that still verify.
   */
  public static SnapshotDownload resume(SnapshotOffer offer, byte[] kept, long now) {
    SnapshotDownload d = new SnapshotDownload(offer, now);
    long offset = 0;
    while (offset < kept.length && offset < offer.size()) {
      int n = offer.chunkLength(offset);
      if (offset + n > kept.length || !d.matches(offset, kept, (int) offset, n)) {
        break;
      }
      d.verified.write(kept, (int) offset, n);
      offset += n;
    }
    return d;
  }

  public SnapshotOffer offer() {
    return offer;
  }

  /** The fetch for the next chunk wanted. */
  public SnapshotFetch next() {
    return new SnapshotFetch(offer.hash(), verified.size());
  }

  /** Bytes verified so far. */
  public long verifiedBytes() {
    return verified.size();
  }

  /** When a chunk was last verified (or the download began). */
  public long lastProgress() {
    return lastProgress;
  }

  /** Why the last chunk was rejected. */
  public String reason() {
    return reason;
  }

  public boolean answers(SnapshotOffer o) {
    return Arrays.equals(offer.hash(), o.hash()) && offer.size() == o.size();
  }

  public Outcome accept(SnapshotChunk c, long now) {
    if (!Arrays.equals(c.hash(), offer.hash())) {
      return Outcome.IGNORED;
    }
    long at = verified.size();
    if (c.offset() >= offer.size()) {
      return reject("chunk at " + c.offset() + " past the snapshot's end at " + offer.size());
    }
    if (c.offset() != at) {
      return Outcome.IGNORED; // a repeat, or one that overtook its predecessor: fetched in turn
    }
    int n = offer.chunkLength(at);
    if (c.bytes().length != n) {
      return reject("chunk at " + at + " holds " + c.bytes().length + " bytes, not " + n);
    }
    if (!matches(at, c.bytes(), 0, n)) {
      return reject("chunk at " + at + " does not match its hash");
    }
    verified.write(c.bytes(), 0, n);
    lastProgress = now;
    if (verified.size() < offer.size()) {
      return Outcome.VERIFIED;
    }
    if (!Arrays.equals(SnapshotCodec.sha256(verified.toByteArray()), offer.hash())) {
      verified.reset();
      return reject("the whole snapshot does not match its hash; starting over");
    }
    return Outcome.COMPLETE;
  }

  /** The snapshot's encoding, once {@link Outcome#COMPLETE}. */
  public byte[] bytes() {
    if (verified.size() != offer.size()) {
      throw new IllegalStateException("download incomplete: " + verified.size() + " of "
          + offer.size() + " bytes");
    }
    return verified.toByteArray();
  }

  private boolean matches(long offset, byte[] b, int from, int n) {
    byte[] expected = offer.chunkHashes().get((int) (offset / offer.chunkBytes()));
    return Arrays.equals(SnapshotCodec.sha256(b, from, n), expected);
  }

  private Outcome reject(String why) {
    reason = why;
    return Outcome.REJECTED;
  }
}
