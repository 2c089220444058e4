package io.tandem.replication.spi;

/**
 * A snapshot transfer under way, as a store keeps it across restarts: the offer it answers (an
 * encoded protocol frame, checked again when read back) and the bytes verified so far, a prefix
 * of the snapshot's encoding.
 */
public record PartialSnapshot(byte[] offer, byte[] verified) {}
