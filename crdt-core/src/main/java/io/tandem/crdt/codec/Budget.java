package io.tandem.crdt.codec;

import io.tandem.crdt.codec.CodecException.Reason;

/** Counts the entries of one value being decoded against {@link CodecLimits#maxElements()}. */
final class Budget {

  private final CodecLimits limits;
  private long used;

  Budget(CodecLimits limits) {
    this.limits = limits;
  }

  CodecLimits limits() {
    return limits;
  }

  /**
   * Takes {@code n} entries, before anything is allocated for them.
   *
   * @param where where the entries start, for the message
   */
  void take(long n, String what, String where) throws CodecException {
    // n may be any unsigned 64-bit count read from the input, so compare without adding first.
    if (n < 0 || n > limits.maxElements() - used) {
      throw new CodecException(Reason.LIMIT_EXCEEDED, Long.toUnsignedString(n) + " " + what
          + " exceed the limit of " + limits.maxElements() + " entries in a value " + where);
    }
    used += n;
  }
}
