package io.tandem.crdt.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.Objects;

/**
 * Lets an {@code ObjectMapper} read and write the CRDTs in {@link JsonCodec}'s format, as fields of
 * records, elements of lists or on their own:
 *
 * <pre>{@code
 * ObjectMapper mapper = new ObjectMapper().registerModule(new TandemModule());
 * String json = mapper.writeValueAsString(note);
 * }</pre>
 *
 * <p>A value that fails to decode surfaces as a {@link JsonMappingException} whose cause is the
 * {@link CodecException}.
 */
public final class TandemModule extends SimpleModule {

  private static final long serialVersionUID = 1L;

  /** A module that decodes within {@link CodecLimits#DEFAULT}. */
  public TandemModule() {
    this(CodecLimits.DEFAULT);
  }

  /**
   * A module that decodes within {@code limits}: entry counts, map depth and string lengths. The
   * text itself is parsed under the mapper's own stream constraints.
   */
  public TandemModule(CodecLimits limits) {
    super("TandemModule");
    Objects.requireNonNull(limits, "limits");
    for (ValueType t : ValueType.values()) {
      register(t.javaType, limits);
    }
  }

  private <T> void register(Class<T> type, CodecLimits limits) {
    addSerializer(type, new StdSerializer<T>(type) {
      private static final long serialVersionUID = 1L;

      @Override
      public void serialize(T value, JsonGenerator gen, SerializerProvider provider)
          throws IOException {
        JsonCodec.toJson(value).serialize(gen, provider);
      }
    });
    addDeserializer(type, new StdDeserializer<T>(type) {
      private static final long serialVersionUID = 1L;

      @Override
      public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        JsonNode node = ctxt.readTree(p);
        try {
          return JsonCodec.fromJson(node, limits, type);
        } catch (CodecException e) {
          throw JsonMappingException.from(p, e.getMessage(), e);
        }
      }
    });
  }
}
