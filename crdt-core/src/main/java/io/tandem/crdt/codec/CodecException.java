package io.tandem.crdt.codec;

/**
 * Why an encoded value could not be decoded. Decoders throw nothing else for bad input, and never
 * return part of a value: either the whole value decodes and passes the types' own checks, or this
 * is thrown. The message says what was wrong and where: a byte offset from the start of the value,
 * or a JSON path such as {@code $.entries[3].dots[0]}.
 */
public final class CodecException extends Exception {

  private static final long serialVersionUID = 1L;

  /** The kind of failure, for callers that react differently to each. */
  public enum Reason {
    /** The input ends before the value does, or a count claims more items than bytes remain. */
    TRUNCATED,
    /**
     * The input does not follow the grammar: bad varint, stray flag bits, malformed UTF-8, bytes
     * after the value; in JSON, a syntax error, a missing or unknown field, or a wrong JSON type.
     */
    MALFORMED,
    /** A value type, nested store kind or scalar tag this version does not know. */
    UNKNOWN_TYPE,
    /** A known type in a format version this build does not read (binary: 1 and 2; JSON: 1). */
    UNSUPPORTED_VERSION,
    /** The input is larger or deeper, or has more entries or longer strings, than limits allow. */
    LIMIT_EXCEEDED,
    /**
     * Well-formed, but not a valid or not a canonical value: a zero or unsorted replica id, a dot
     * outside its context, a removal marker in a state, entries out of canonical order or
     * repeated, a value of another type than the caller asked for.
     */
    INVALID
  }

  private final Reason reason;

  public CodecException(Reason reason, String message) {
    this(reason, message, null);
  }

  public CodecException(Reason reason, String message, Throwable cause) {
    super(reason + ": " + message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
