package io.tandem.demo.notes;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.crdt.VersionVector;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input on every endpoint gets a 4xx with a clear JSON error, and the device's replica is
 * left exactly as it was: its version vector (which any write would grow) does not move.
 */
class DeviceApiBadInputTest extends OnTheDemo {

  static Http api;
  static String note;
  static String contact;
  static String sent;

  @BeforeAll
  static void writeSomething() {
    api = phone;
    note = api.post("notes", Map.of("title", "n")).json().getString("id");
    contact = api.post("contacts", Map.of("name", "Ann")).json().getString("id");
    sent = api.post("messages", Map.of("to", contact, "body", "x")).json().getString("id");
    api.post("messages/" + sent + "/send", null);
  }

  static Stream<Arguments> badRequests() {
    String tooLong = "x".repeat(201);
    List<String> manyTags = java.util.stream.IntStream.range(0, 21).mapToObj(i -> "t" + i)
        .toList();
    return Stream.of(
        bad("POST", "notes", "{\"title\": ", 400, "malformed JSON"),
        bad("POST", "notes", "[1, 2]", 400, "JSON object"),
        bad("POST", "notes", "\"just a string\"", 400, "JSON object"),
        bad("POST", "notes", "", 400, "JSON object body"),
        bad("POST", "notes", Map.of("titel", "typo"), 400, "unknown field 'titel'"),
        bad("POST", "notes", Map.of("title", 5), 400, "'title' must be a string"),
        bad("POST", "notes", Map.of("title", tooLong), 400, "longer than 200"),
        bad("POST", "notes", Map.of("tags", "home"), 400, "'tags' must be an array"),
        bad("POST", "notes", Map.of("tags", List.of(1)), 400, "each tag"),
        bad("POST", "notes", Map.of("tags", manyTags), 400, "at most 20 tags"),
        bad("POST", "notes", Map.of("pinned", "yes"), 400, "'pinned' must be true or false"),
        bad("POST", "notes", "{\"title\": \"\\ud800\"}", 400, "unpaired surrogate"),
        bad("PATCH", "notes/NOTE", Map.of(), 400, "nothing to change"),
        bad("PATCH", "notes/NOTE", Map.of("body", List.of()), 400, "'body' must be a string"),
        bad("GET", "notes/nope", null, 404, "no note with id nope"),
        bad("PATCH", "notes/nope", Map.of("title", "x"), 404, "no note with id nope"),
        bad("DELETE", "notes/nope", null, 404, "no note with id nope"),
        bad("POST", "contacts", Map.of("email", "a@b"), 400, "needs a non-empty 'name'"),
        bad("POST", "contacts", Map.of("name", ""), 400, "needs a non-empty 'name'"),
        bad("PATCH", "contacts/CONTACT", Map.of("name", true), 400, "'name' must be a string"),
        bad("GET", "contacts/nope", null, 404, "no contact with id nope"),
        bad("DELETE", "contacts/nope", null, 404, "no contact with id nope"),
        bad("POST", "messages", Map.of("to", "nope", "body", "x"), 404, "no contact with id nope"),
        bad("POST", "messages", Map.of("body", "x"), 400, "needs a non-empty 'to'"),
        bad("POST", "messages", Map.of("to", "CONTACT", "status", "sent"), 400,
            "unknown field 'status'"),
        bad("PATCH", "messages/SENT", Map.of("body", "y"), 409, "only drafts change"),
        bad("POST", "messages/SENT/send", null, 409, "only drafts change"),
        bad("POST", "messages/nope/send", null, 404, "no message with id nope"),
        bad("GET", "messages/nope", null, 404, "no message with id nope"),
        bad("PUT", "network", Map.of("online", "no"), 400, "'online' must be true or false"),
        bad("POST", "typing", Map.of("note", 5), 400, "'note' must be a note's id"),
        bad("POST", "typing", Map.of("note", ""), 400, "'note' must be a note's id"),
        bad("GET", "nothing-here", null, 404, "no such endpoint"),
        bad("POST", "pairing", Map.of("fingerprint", "12ab", "name", "x"), 400, "64 hex digits"),
        bad("POST", "pairing", Map.of("name", "x"), 400, "'fingerprint' and 'name'"),
        bad("POST", "pairing", Map.of("fingerprint", 7, "name", "x"), 400, "both strings"),
        bad("POST", "pairing", Map.of("fingerprint", "ab".repeat(32), "name", "n".repeat(65)),
            400, "at most 64 characters"),
        bad("POST", "pairing/join", Map.of(), 400, "join needs 'address'"),
        bad("POST", "pairing/join", Map.of("address", "no-port"), 400, "must be host:port"),
        bad("POST", "pairing/join", Map.of("address", "host:70000"), 400, "must be host:port"),
        bad("POST", "pairing/code", Map.of("code", "12a456"), 400, "the 6 digits"),
        bad("POST", "pairing/code", Map.of("code", 123456), 400, "'code' must be"),
        bad("POST", "pairing/code", Map.of("code", "123456"), 409, "no join is under way"),
        bad("POST", "notes", "{\"body\": \"" + "a".repeat(DeviceApi.BODY_LIMIT) + "\"}", 413,
            "larger than 65536 bytes"));
  }

  private static Arguments bad(String method, String path, Object body, int status,
      String error) {
    return Arguments.of(method, path, body, status, error);
  }

  @ParameterizedTest(name = "{0} {1} -> {3}")
  @MethodSource("badRequests")
  void isRefusedWithAClearJsonErrorAndChangesNothing(String method, String path, Object body,
      int status, String error) {
    String resolved = path.replace("NOTE", note).replace("CONTACT", contact)
        .replace("SENT", sent);
    Object b = body instanceof Map<?, ?> m ? replaceIds(m) : body;
    VersionVector before = demo.device("phone").replica().vector();
    String stateBefore = data();

    Http.Reply r = api.send(method, resolved, b);

    assertThat(r.status()).as(r.text()).isEqualTo(status);
    assertThat(r.json().getInteger("status")).isEqualTo(status);
    assertThat(r.error()).contains(error);
    assertThat(demo.device("phone").replica().vector()).isEqualTo(before);
    assertThat(data()).isEqualTo(stateBefore);
  }

  /** The device's data as the API shows it, less what changes by itself (status, receipts). */
  private static String data() {
    io.vertx.core.json.JsonObject state = api.get("state").json();
    state.remove("status");
    state.put("pairing", api.get("pairing").json());
    state.getJsonArray("notes").forEach(n -> ((io.vertx.core.json.JsonObject) n).remove("receipt"));
    return state.encode();
  }

  private static Map<Object, Object> replaceIds(Map<?, ?> m) {
    Map<Object, Object> out = new java.util.LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, "CONTACT".equals(v) ? contact : v));
    return out;
  }

  @Test
  void aHugeBodyIsRefusedBeforeItIsRead() {
    String huge = "{\"title\": \"" + "a".repeat(4 * 1024 * 1024) + "\"}";
    Http.Reply r = api.post("notes", huge);
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.error()).contains("larger than");
  }
}
