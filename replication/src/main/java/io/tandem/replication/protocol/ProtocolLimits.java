package io.tandem.replication.protocol;

/**
 * Bounds on what a peer may send, checked before anything is allocated for it.
 *
 * @param maxFrameBytes largest frame accepted (default 4 MiB)
 * @param maxRecords most delta records in one frame
 * @param maxEntries most vector entries, ranges or replica-table entries in one frame
 */
public record ProtocolLimits(int maxFrameBytes, int maxRecords, int maxEntries) {

  public static final ProtocolLimits DEFAULT = new ProtocolLimits(4 << 20, 10_000, 100_000);

  public ProtocolLimits {
    if (maxFrameBytes < 64 || maxRecords < 1 || maxEntries < 1) {
      throw new IllegalArgumentException("limits too small");
    }
  }
}
