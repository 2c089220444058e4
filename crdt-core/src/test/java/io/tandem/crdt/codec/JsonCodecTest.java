package io.tandem.crdt.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.crdt.GCounter;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.codec.CodecException.Reason;
import org.junit.jupiter.api.Test;

/** The JSON codec's API: trees, typed decoding, and leniency about order only. */
class JsonCodecTest {

  private static final ReplicaId A = ReplicaId.of(0xA1);
  private static final ReplicaId B = ReplicaId.of(0xB2);

  @Test
  void treeFormEmbedsInLargerDocuments() throws Exception {
    Object v = GoldenValues.all().get("or-map");
    ObjectNode doc = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
    doc.set("note", JsonCodec.toJson(v));
    assertThat(JsonCodec.fromJson(doc.get("note"))).isEqualTo(v);
    assertThat(JsonCodec.toJson(v).toString()).isEqualTo(JsonCodec.encode(v));
  }

  @Test
  void typedDecodeRefusesAnotherType() throws Exception {
    String set = JsonCodec.encode(OrSet.empty().add(A, "x"));
    assertThat(JsonCodec.decode(set, OrSet.class).contains("x")).isTrue();
    Reason r = catchThrowableOfType(CodecException.class,
        () -> JsonCodec.decode(set, GCounter.class)).reason();
    assertThat(r).isEqualTo(Reason.INVALID);
  }

  @Test
  void entriesMayComeInAnyOrder() throws Exception {
    OrSet<Object> s = OrSet.empty();
    s = s.merge(s.add(A, "x")).merge(OrSet.empty().add(B, "y"));
    String canonical = JsonCodec.encode(s);
    String swapped = "{\"type\":\"or-set\",\"v\":1,\"delta\":false,\"context\":{\"vv\":{"
        + "\"00000000000000b2\":1,\"00000000000000a1\":1},\"cloud\":[]},\"entries\":["
        + "{\"element\":\"y\",\"dots\":[[\"00000000000000b2\",1]]},"
        + "{\"dots\":[[\"00000000000000a1\",1]],\"element\":\"x\"}]}";
    Object decoded = JsonCodec.decode(swapped);
    assertThat(decoded).isEqualTo(s);
    assertThat(JsonCodec.encode(decoded)).isEqualTo(canonical);
  }

  @Test
  void textThatIsNotJsonIsMalformed() {
    for (String text : new String[] {"", " ", "nul", "[1,", "{\"type\":", "\"or-set\"", "[]"}) {
      Reason r = catchThrowableOfType(CodecException.class, () -> JsonCodec.decode(text))
          .reason();
      assertThat(r).as(text).isEqualTo(Reason.MALFORMED);
    }
  }
}
