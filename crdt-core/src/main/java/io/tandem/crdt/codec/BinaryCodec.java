package io.tandem.crdt.codec;

import io.tandem.crdt.CausalContext;
import io.tandem.crdt.GCounter;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.MvRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.PnCounter;
import io.tandem.crdt.VersionVector;

/**
 * The compact, canonical binary form of the CRDTs: equal values encode to identical bytes,
 * whatever order they were built in, so replicas can compare and hash encodings.
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
 * <p>Elements and keys come in strictly ascending unsigned order of their encoded scalar bytes; a
 * key's stores in ascending kind order. {@code k = 0} marks a removal and is allowed only at the
 * top level of a delta. Nested stores carry no context: they live under the map's. Every dot held
 * in a store of an mv-register, or-set or or-map is implicitly part of the context and must not
 * appear in the cloud, which keeps a one-element delta at its own dot; the decoder adds them back.
 * A double is written with {@link Double#doubleToLongBits}, so NaNs are written alike and -0.0
 * stays -0.0. Strings must be well-formed UTF-16 (no unpaired surrogate).
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
    return BinaryEncoder.encode(value);
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
    return type.cast(BinaryDecoder.decode(bytes, 0, bytes.length, CodecLimits.DEFAULT, type));
  }

  /**
   * Decodes the value in {@code length} bytes from {@code offset}; it must fill them exactly.
   *
   * @throws IndexOutOfBoundsException if the range lies outside {@code bytes}
   */
  public static Object decode(byte[] bytes, int offset, int length, CodecLimits limits)
      throws CodecException {
    return BinaryDecoder.decode(bytes, offset, length, limits, Object.class);
  }
}
