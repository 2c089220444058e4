package io.tandem.crdt.codec;

import io.tandem.crdt.CausalContext;
import io.tandem.crdt.GCounter;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.MvRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.PnCounter;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import java.util.Objects;

/**
 * The compact, canonical binary form of the CRDTs: equal values encode to identical bytes,
 * whatever order they were built in, so replicas can compare and hash encodings. The encoder
 * writes format v2; the decoder reads v2 and v1, which storage and older peers still hold.
 *
 * <h2>Format v2</h2>
 *
 * <pre>
 * value    := head rows                                   (no bytes may follow)
 *           | head(columnar) n:varint deflate             (raw DEFLATE, RFC 1951, of n bytes:
 *                                                          replicas lengths columns)
 * head     := u8: bit 7 set (v2); bit 6 origin implicit; bit 5 columnar; bit 4 no replica ids
 *             written (the table is empty, or the implicit origin alone); bits 0-3 the type:
 *             1 lww-register | 2 mv-register | 3 or-set | 4 or-map | 5 g-counter
 *           | 6 pn-counter | 7 version-vector | 8 causal-context
 * rows     := replicas body                               (replicas absent under bit 4)
 * replicas := n:varint(≥1), n × id:u64 big-endian         (ascending, none zero, each used; an
 *                                                          implicit origin, told the decoder by
 *                                                          its caller, takes its place among
 *                                                          them; "r" below indexes the table
 *                                                          and is left out if it has one entry)
 * dot      := r step:zigzag                               (counter = the previous dot's counter
 *                                                          in the value, or 0, plus step; ≥ 1)
 * vv       := n:varint, n × (r, counter:varint(≥1))      (r strictly ascending)
 * dots     := n:varint, n × dot                           (ascending)
 * scalar   := 0x80+len utf8 (len ≤ 127) | 1 len:varint(≥128) utf8 | 2 (true) | 3 (false)
 *           | 4 zigzag(int) | 5 zigzag(long) | 6 ieee754:u64 big-endian
 * hlc      := step:zigzag logical:varint(≤2^31-1) r      (wall = the previous clock's + step)
 * shape    := varint: n &lt;&lt; 3 | cloud? &lt;&lt; 2 | vv? &lt;&lt; 1 | isDelta; then vv if flagged (not
 *             empty), then dots if flagged (the cloud; not empty); n counts the entries
 *
 * lww-register   := present:u8(0|1) [hlc scalar]
 * mv-register    := shape n × (dot scalar)
 * or-set         := shape n × (element:scalar, k:varint, k × dot)
 * or-map         := shape n × (key:scalar, k:varint, k × nested)
 * g-counter      := vv            pn-counter := vv vv      version-vector := vv
 * causal-context := vv dots
 * nested   := varint((n - 1) &lt;&lt; 4 | kind), n × entry, by kind:
 *             1 mv-register (dot scalar) | 2 or-set (scalar k dots) | 3 or-map (scalar k nested)
 *           | 10 lww-register (dot hlc scalar) | 11 g-counter (dot vv) | 12 pn-counter (dot vv vv)
 * </pre>
 *
 * <p>The columnar form is the same sequence of fields, each kind of field in its own column so
 * that alike bytes sit together for the deflater: {@code lengths} are the byte lengths of the
 * keys (elements and keys), dots, clocks (hlc) and values (register values) columns, which
 * follow in that order; every other field is in the last column, which runs to the end. In it,
 * each key and value scalar is front-coded against the previous one of its column, {@code
 * shared:varint rest:varint rest × u8}, with {@code shared} the longest common prefix. The
 * encoder writes the columnar form when it is smaller than the rows (never under {@value
 * BinaryEncoder#COLUMNAR_FROM} bytes); which form is smaller is a function of the value, but
 * the DEFLATE bytes are those of the JDK's zlib, so two JDKs could pack one value differently
 * (the decoder reads either). The unpacked size counts against {@link CodecLimits#maxBytes()}.
 *
 * <h2>Format v1</h2>
 *
 * <pre>
 * value    := type:u8 version:u8(=1) replicas body        (no bytes may follow)
 * type     := 1 lww-register | 2 mv-register | 3 or-set | 4 or-map | 5 g-counter
 *           | 6 pn-counter | 16 version-vector | 17 causal-context
 * varint   := unsigned LEB128, shortest form, at most 10 bytes; zigzag for signed numbers
 * replicas := n:varint, n × id:u64 big-endian             (ascending as unsigned, none zero,
 *                                                          each used; "r" below is an index)
 * dot      := r:varint counter:varint(≥1)
 * vv       := n:varint, n × (r, counter:varint(≥1))      (r strictly ascending)
 * context  := vv, m:varint, m × dot                       (dots ascending, none covered by or
 *                                                          next to vv)
 * scalar   := 1 len:varint utf8 | 2 (true) | 3 (false) | 4 zigzag(int) | 5 zigzag(long)
 *           | 6 ieee754:u64 big-endian
 * hlc      := wall:varint logical:varint(≤2^31-1) r
 * flags    := u8, bit 0 = isDelta
 *
 * lww-register   := present:u8(0|1) [hlc scalar]
 * mv-register    := flags context n × (dot scalar)                  (dots ascending)
 * or-set         := flags context n × (element:scalar, k:varint, k × dot)
 * or-map         := flags context n × (key:scalar, k:varint, k × nested)
 * g-counter      := vv
 * pn-counter     := vv(increments) vv(decrements)
 * version-vector := vv
 * causal-context := context
 * nested   := kind:u8 n:varint(≥1) n × entry, by kind:
 *             1 mv-register (dot scalar) | 2 or-set (scalar k dots) | 3 or-map (scalar k nested)
 *           | 10 lww-register (dot hlc scalar) | 11 g-counter (dot vv) | 12 pn-counter (dot vv vv)
 * </pre>
 *
 * <p>In both formats elements and keys come in strictly ascending unsigned order of their encoded
 * scalar bytes (of their own format); a key's stores in ascending kind order. {@code k = 0} marks
 * a removal and is allowed only at the top level of a delta. Nested stores carry no context: they
 * live under the map's. Every dot held in a store of an mv-register, or-set or or-map is
 * implicitly part of the context and must not appear in the cloud, which keeps a one-element
 * delta at its own dot; the decoder adds them back. A double is written with {@link
 * Double#doubleToLongBits}, so NaNs are written alike and -0.0 stays -0.0. Strings must be
 * well-formed UTF-16 (no unpaired surrogate).
 *
 * <p>Decoding throws only {@link CodecException}, whose {@link CodecException.Reason} tells why;
 * it never returns part of a value.
 */
public final class BinaryCodec {

  private BinaryCodec() {}

  /**
   * The binary form of a {@link LwwRegister}, {@link MvRegister}, {@link OrSet}, {@link OrMap},
   * {@link GCounter}, {@link PnCounter}, {@link VersionVector} or {@link CausalContext}.
   *
   * @throws IllegalArgumentException for any other value, a string with an unpaired surrogate, or
   *     an empty LwwRegister held in a map (the format has no room for one)
   */
  public static byte[] encode(Object value) {
    return BinaryEncoder.encode(value, null);
  }

  /**
   * As {@link #encode(Object)}, leaving {@code origin} out of the replica table: for bytes that
   * travel inside something that already names their origin, such as a delta in the record of
   * its origin's feed. Only {@link #decode(byte[], ReplicaId)} given the same origin reads them.
   */
  public static byte[] encode(Object value, ReplicaId origin) {
    return BinaryEncoder.encode(value, Objects.requireNonNull(origin, "origin"));
  }

  /**
   * Decodes a value within {@link CodecLimits#DEFAULT} whose origin, if left implicit by {@link
   * #encode(Object, ReplicaId)}, is {@code origin}; bytes that name all their replicas decode as
   * by {@link #decode(byte[])}.
   */
  public static Object decode(byte[] bytes, ReplicaId origin) throws CodecException {
    return BinaryDecoder.decode(bytes, 0, bytes.length, CodecLimits.DEFAULT, Object.class,
        Objects.requireNonNull(origin, "origin"));
  }

  /** Decodes a value within {@link CodecLimits#DEFAULT}. */
  public static Object decode(byte[] bytes) throws CodecException {
    return decode(bytes, 0, bytes.length, CodecLimits.DEFAULT);
  }

  public static Object decode(byte[] bytes, CodecLimits limits) throws CodecException {
    return decode(bytes, 0, bytes.length, limits);
  }

  /**
   * Decodes a value of {@code type}, within {@link CodecLimits#DEFAULT}.
   *
   * @throws CodecException with reason INVALID if the bytes hold a value of another type
   */
  public static <T> T decode(byte[] bytes, Class<T> type) throws CodecException {
    return type.cast(BinaryDecoder.decode(bytes, 0, bytes.length, CodecLimits.DEFAULT, type,
        null));
  }

  /**
   * Decodes the value in {@code length} bytes from {@code offset}; it must fill them exactly.
   *
   * @throws IndexOutOfBoundsException if the range lies outside {@code bytes}
   */
  public static Object decode(byte[] bytes, int offset, int length, CodecLimits limits)
      throws CodecException {
    return BinaryDecoder.decode(bytes, offset, length, limits, Object.class, null);
  }
}
