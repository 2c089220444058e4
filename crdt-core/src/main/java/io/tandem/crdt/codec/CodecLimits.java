package io.tandem.crdt.codec;

/**
 * Bounds a decoder enforces before it trusts its input, so that a hostile peer cannot make it
 * allocate or recurse without end.
 *
 * @param maxBytes the largest input accepted: bytes for binary, characters for JSON text
 * @param maxDepth how deeply maps may nest in a value; for JSON text also the deepest JSON
 *     nesting the parser accepts, which is about four levels per nested map
 * @param maxElements the total number of entries in one value: replicas, vector entries, cloud
 *     dots, elements, keys, nested stores and the dots under them
 * @param maxStringBytes the longest string, in UTF-8 bytes
 */
public record CodecLimits(int maxBytes, int maxDepth, int maxElements, int maxStringBytes) {

  /** 4 MiB, 64 levels, a million entries, 1 MiB strings. */
  public static final CodecLimits DEFAULT = new CodecLimits(4 << 20, 64, 1_000_000, 1 << 20);

  /*
   * The decoders recurse once per nested map, so the depth is capped where a default thread stack
   * still has room to spare; nobody nests a note a thousand maps deep.
   */
  static final int MAX_DEPTH = 1000;

  public CodecLimits {
    if (maxBytes < 1 || maxElements < 1 || maxStringBytes < 0) {
      throw new IllegalArgumentException("limits must be positive: " + maxBytes + ", "
          + maxElements + ", " + maxStringBytes);
    }
    if (maxDepth < 1 || maxDepth > MAX_DEPTH) {
      throw new IllegalArgumentException("maxDepth must be 1.." + MAX_DEPTH + ", was " + maxDepth);
    }
  }
}
