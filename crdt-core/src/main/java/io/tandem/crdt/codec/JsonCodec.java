package io.tandem.crdt.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.crdt.codec.CodecException.Reason;

/**
 * The stable, human-readable JSON form of the CRDTs, for tools, logs and hand-written fixtures.
 * Entries are written in the binary form's canonical order, so equal values give equal text.
 *
 * <h2>Format v1</h2>
 *
 * <p>A value is an object {@code {"type":…,"v":1,…}}. A replica id is its 16 lowercase hex
 * digits; a dot is {@code ["<replica>",counter]}; a vector is {@code {"<replica>":counter}} in
 * replica order; a context is {@code {"vv":{…},"cloud":[dots]}}, compact (no cloud dot covered by
 * or next to the vector) and, unlike the binary form, complete; a clock is
 * {@code {"wall":…,"logical":…,"replica":"…"}}. A scalar is a JSON string, boolean, integer
 * (a Long) or float token (a Double, written {@code 5.0}, never {@code 5}); an Integer is
 * {@code {"int":5}}, a NaN or infinite double {@code {"double":"NaN"}}, {@code "Infinity"} or
 * {@code "-Infinity"}. One example per type, with replicas a = 00000000000000a1 and
 * b = 00000000000000b2 abbreviated:
 *
 * <pre>
 * {"type":"lww-register","v":1,"value":"Groceries",
 *  "hlc":{"wall":1700000000000,"logical":0,"replica":"a"}}
 * {"type":"mv-register","v":1,"delta":false,"context":{"vv":{"a":1,"b":1},"cloud":[]},
 *  "entries":[{"dot":["a",1],"value":"x"},{"dot":["b",1],"value":{"int":7}}]}
 * {"type":"or-set","v":1,"delta":true,"context":{"vv":{},"cloud":[["a",42]]},
 *  "entries":[{"element":"e12345","dots":[["a",42]]}]}
 * {"type":"or-map","v":1,"delta":false,"context":{"vv":{"a":2},"cloud":[]},"entries":[
 *  {"key":"tags","values":[{"kind":"or-set","entries":[{"element":"home","dots":[["a",1]]}]}]},
 *  {"key":"title","values":[{"kind":"lww-register","entries":[{"dot":["a",2],
 *   "value":{"value":"Groceries","hlc":{"wall":1700000000000,"logical":0,"replica":"a"}}}]}]}]}
 * {"type":"g-counter","v":1,"counts":{"a":3,"b":5}}
 * {"type":"pn-counter","v":1,"increments":{"a":3},"decrements":{"b":1}}
 * {"type":"version-vector","v":1,"vv":{"a":3,"b":5}}
 * {"type":"causal-context","v":1,"vv":{"a":3},"cloud":[["a",5],["b",2]]}
 * </pre>
 *
 * <p>Map values are {@code {"kind":k,"entries":[…]}} with k one of or-set, mv-register, or-map
 * (entries as at the top level) or lww-register, g-counter, pn-counter (entries
 * {@code {"dot":…,"value":{…}}}, the value being the type's top-level body without "type" and
 * "v"). In a delta an element or key with no dots or values marks a removal. The decoder takes
 * entries in any order but refuses anything repeated, missing fields, unknown fields and wrong
 * JSON types (MALFORMED), unknown types or kinds (UNKNOWN_TYPE) and versions other than 1
 * (UNSUPPORTED_VERSION). Decoding throws only {@link CodecException}.
 */
public final class JsonCodec {

  private static final ObjectMapper WRITER = new ObjectMapper();
  private static final ObjectMapper DEFAULT_READER = reader(CodecLimits.DEFAULT);

  private JsonCodec() {}

  /**
   * The JSON text of a value; see {@link BinaryCodec#encode} for the types accepted.
   *
   * @throws IllegalArgumentException for any other value, a string with an unpaired surrogate,
   *     or an empty LwwRegister held in a map
   */
  public static String encode(Object value) {
    try {
      return WRITER.writeValueAsString(toJson(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree failed to serialize", e);
    }
  }

  /** The JSON tree of a value, for embedding in larger documents. */
  public static ObjectNode toJson(Object value) {
    return JsonEncoder.toJson(value);
  }

  public static Object decode(String json) throws CodecException {
    return decode(json, CodecLimits.DEFAULT);
  }

  public static Object decode(String json, CodecLimits limits) throws CodecException {
    return JsonDecoder.decode(parse(json, limits), limits, Object.class);
  }

  /**
   * Decodes a value of {@code type}, within {@link CodecLimits#DEFAULT}.
   *
   * @throws CodecException with reason INVALID if the text holds a value of another type
   */
  public static <T> T decode(String json, Class<T> type) throws CodecException {
    return fromJson(parse(json, CodecLimits.DEFAULT), CodecLimits.DEFAULT, type);
  }

  /** Decodes a value from a tree parsed elsewhere, within {@link CodecLimits#DEFAULT}. */
  public static Object fromJson(JsonNode node) throws CodecException {
    return fromJson(node, CodecLimits.DEFAULT);
  }

  /**
   * Decodes a value from a tree parsed elsewhere. The parser's limits were not ours, so only the
   * depth of nested maps, the entry count and string lengths are checked here.
   */
  public static Object fromJson(JsonNode node, CodecLimits limits) throws CodecException {
    return JsonDecoder.decode(node, limits, Object.class);
  }

  static <T> T fromJson(JsonNode node, CodecLimits limits, Class<T> type) throws CodecException {
    return type.cast(JsonDecoder.decode(node, limits, type));
  }

  /** Parses text within the limits: over-long, over-deep or oversized input is refused early. */
  static JsonNode parse(String json, CodecLimits limits) throws CodecException {
    if (json.length() > limits.maxBytes()) {
      throw new CodecException(Reason.LIMIT_EXCEEDED, json.length()
          + " characters exceed the limit of " + limits.maxBytes());
    }
    ObjectMapper mapper = limits.equals(CodecLimits.DEFAULT) ? DEFAULT_READER : reader(limits);
    try {
      JsonNode node = mapper.readTree(json);
      if (node == null || node.isMissingNode()) {
        throw new CodecException(Reason.MALFORMED, "no JSON value in the input");
      }
      return node;
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? ""
          : " at character " + e.getLocation().getCharOffset();
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof StreamConstraintsException) {
          throw new CodecException(Reason.LIMIT_EXCEEDED, e.getOriginalMessage() + where, e);
        }
      }
      throw new CodecException(Reason.MALFORMED, e.getOriginalMessage() + where, e);
    } catch (RuntimeException e) {
      throw new CodecException(Reason.MALFORMED, e.toString(), e);
    }
  }

  private static ObjectMapper reader(CodecLimits limits) {
    StreamReadConstraints constraints = StreamReadConstraints.builder()
        .maxNestingDepth(limits.maxDepth())
        .maxDocumentLength(limits.maxBytes())
        .maxStringLength(limits.maxStringBytes())
        .maxNumberLength(64)
        .build();
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(constraints)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    return JsonMapper.builder(factory)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();
  }
}
