package io.tandem.replication.protocol;

/**
 * Bounds on what a peer may send, checked before anything is allocated for it.
 *
 * @param maxFrameBytes largest frame accepted (default 4 MiB)
 * @param maxRecords most delta records in one frame
 * @param maxEntries most vector entries, ranges or replica-table entries in one frame
 * @param maxChunkBytes largest snapshot chunk sent or accepted (default 256 KiB)
 */
public record ProtocolLimits(int maxFrameBytes, int maxRecords, int maxEntries,
    int maxChunkBytes) {

  public static final ProtocolLimits DEFAULT = new ProtocolLimits(4 << 20, 10_000, 100_000);

  public ProtocolLimits {
    if (maxFrameBytes < 64 || maxRecords < 1 || maxEntries < 1 || maxChunkBytes < 1
        || maxChunkBytes > maxFrameBytes) {
      throw new IllegalArgumentException("limits too small");
    }
  }

  /** Limits with chunks of at most 256 KiB, and at most half a frame. */
  public ProtocolLimits(int maxFrameBytes, int maxRecords, int maxEntries) {
    this(maxFrameBytes, maxRecords, maxEntries, Math.min(256 << 10, maxFrameBytes / 2));
  }
}
