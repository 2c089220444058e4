package io.tandem.crdt.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.crdt.Crdt;
import io.tandem.crdt.Hlc;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.codec.CodecException.Reason;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** An ObjectMapper with the module reads and writes the CRDTs wherever they sit. */
class TandemModuleTest {

  private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new TandemModule());
  private static final ReplicaId A = ReplicaId.of(0xA1);

  /** A record an app might store, with CRDT fields. */
  record Note(String id, LwwRegister<String> title, OrSet<String> tags,
      OrMap<String, Crdt<?>> body) {}

  static Stream<String> names() {
    return GoldenValues.all().keySet().stream();
  }

  @ParameterizedTest
  @MethodSource("names")
  void mapperRoundTripsEachType(String name) throws Exception {
    Object v = GoldenValues.all().get(name);
    String json = MAPPER.writeValueAsString(v);
    assertThat(json).isEqualTo(JsonCodec.encode(v));
    Object back = MAPPER.readValue(json, v.getClass());
    assertThat(back).isEqualTo(v);
    assertThat(Codecs.isDelta(back)).isEqualTo(Codecs.isDelta(v));
  }

  @Test
  void mapperRoundTripsRecordFieldsAndLists() throws Exception {
    OrSet<String> tags = OrSet.<String>empty().add(A, "home");
    @SuppressWarnings("unchecked")
    OrMap<String, Crdt<?>> body = (OrMap<String, Crdt<?>>) GoldenValues.all().get("or-map");
    Note note = new Note("n1", LwwRegister.of(new Hlc(1, 0, A), "Groceries"), tags, body);
    Note back = MAPPER.readValue(MAPPER.writeValueAsString(note), Note.class);
    assertThat(back).isEqualTo(note);

    List<OrSet<String>> sets = List.of(tags, OrSet.empty(), tags.merge(tags.add(A, "work")));
    List<OrSet<String>> backs = MAPPER.readValue(MAPPER.writeValueAsString(sets),
        new TypeReference<List<OrSet<String>>>() {});
    assertThat(backs).isEqualTo(sets);

    Note empty = new Note("n2", null, null, null);
    assertThat(MAPPER.readValue(MAPPER.writeValueAsString(empty), Note.class)).isEqualTo(empty);
  }

  @Test
  void decodeFailureSurfacesAsMappingExceptionCausedByCodecException() {
    String broken = "{\"id\":\"n1\",\"title\":{\"type\":\"lww-register\",\"v\":2},"
        + "\"tags\":null,\"body\":null}";
    JsonMappingException e = catchThrowableOfType(JsonMappingException.class,
        () -> MAPPER.readValue(broken, Note.class));
    assertThat(e).isNotNull();
    assertThat(e.getCause()).isInstanceOf(CodecException.class);
    assertThat(((CodecException) e.getCause()).reason()).isEqualTo(Reason.UNSUPPORTED_VERSION);

    JsonMappingException wrongType = catchThrowableOfType(JsonMappingException.class,
        () -> MAPPER.readValue("{\"type\":\"g-counter\",\"v\":1,\"counts\":{}}", OrSet.class));
    assertThat(((CodecException) wrongType.getCause()).reason()).isEqualTo(Reason.INVALID);
  }
}
