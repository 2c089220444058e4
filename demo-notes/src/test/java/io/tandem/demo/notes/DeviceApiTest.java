package io.tandem.demo.notes;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.replication.Replica;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every endpoint of a device's API, over real HTTP on 127.0.0.1, on the three-device demo. */
class DeviceApiTest extends OnTheDemo {

  static JsonObject created(Http.Reply r) {
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json();
  }

  static JsonObject find(Http device, String list, String id) {
    for (Object o : device.get(list).array()) {
      if (((JsonObject) o).getString("id").equals(id)) {
        return (JsonObject) o;
      }
    }
    return null;
  }

  @Test
  void aNoteIsCreatedReadPatchedListedAndDeleted() {
    JsonObject note = created(phone.post("notes", Map.of("title", "Groceries",
        "body", "milk", "tags", List.of("home", "food"), "pinned", true)));
    String id = note.getString("id");
    assertThat(note.getString("title")).isEqualTo("Groceries");
    assertThat(note.getJsonArray("tags")).containsExactly("food", "home");
    assertThat(note.getBoolean("pinned")).isTrue();

    JsonObject patched = phone.patch("notes/" + id, Map.of("body", "milk, eggs",
        "tags", List.of("home"), "pinned", false)).json();
    assertThat(patched.getString("body")).isEqualTo("milk, eggs");
    assertThat(patched.getJsonArray("tags")).containsExactly("home");
    assertThat(patched.getBoolean("pinned")).isFalse();
    assertThat(phone.get("notes/" + id).json().getString("title")).isEqualTo("Groceries");
    assertThat(find(phone, "notes", id)).isNotNull();

    assertThat(phone.delete("notes/" + id).status()).isEqualTo(204);
    assertThat(phone.get("notes/" + id).status()).isEqualTo(404);
    assertThat(find(phone, "notes", id)).isNull();
  }

  @Test
  void aNoteWrittenOnThePhoneReachesThePcAndItsReceiptSaysSo() {
    String id = created(phone.post("notes", Map.of("title", "Safe?"))).getString("id");
    Await.until("the note on the PC", () -> pc.get("notes/" + id).status() == 200);
    Await.until("the phone's receipt for the PC", () -> receipt(phone, id, "PC"));
    Await.until("the phone's receipt for the tablet", () -> receipt(phone, id, "tablet"));
  }

  static boolean receipt(Http device, String id, String on) {
    JsonArray r = device.get("notes/" + id).json().getJsonArray("receipt");
    return r != null && r.stream().map(JsonObject.class::cast)
        .anyMatch(x -> x.getString("device").equals(on) && x.getBoolean("has"));
  }

  @Test
  void aRequestIsOneWriteWhateverTheFieldsItSetsSoNoDeviceShowsHalfOfIt() {
    Replica r = demo.device("phone").replica();
    long before = r.vector().get(r.id());
    String id = created(phone.post("notes", Map.of("title", "Trip", "body", "tickets",
        "tags", List.of("travel", "todo"), "pinned", true))).getString("id");
    assertThat(r.vector().get(r.id())).as("a note of four fields").isEqualTo(before + 1);

    phone.patch("notes/" + id, Map.of("title", "Trip to Lyon", "tags", List.of("travel"),
        "pinned", false));
    assertThat(r.vector().get(r.id())).as("a patch of three fields, a tag removed")
        .isEqualTo(before + 2);
    phone.patch("notes/" + id, Map.of("title", "Trip to Lyon"));
    assertThat(r.vector().get(r.id())).as("a patch that changes nothing").isEqualTo(before + 2);

    String ann = created(phone.post("contacts", Map.of("name", "Ann",
        "email", "ann@example.org"))).getString("id");
    created(phone.post("messages", Map.of("to", ann, "body", "Hello")));
    assertThat(r.vector().get(r.id())).as("a contact, then a message with its status")
        .isEqualTo(before + 4);
    JsonObject note = phone.get("notes/" + id).json();
    assertThat(note.getString("title")).isEqualTo("Trip to Lyon");
    assertThat(note.getString("body")).isEqualTo("tickets");
    assertThat(note.getJsonArray("tags")).containsExactly("travel");
    assertThat(note.getBoolean("pinned")).isFalse();
  }

  @Test
  void aContactIsCreatedPatchedListedAndDeleted() {
    JsonObject ann = created(phone.post("contacts", Map.of("name", "Ann",
        "email", "ann@example.org", "phone", "+33 1 23")));
    String id = ann.getString("id");
    assertThat(phone.patch("contacts/" + id, Map.of("phone", "+33 9 87")).json()
        .getString("phone")).isEqualTo("+33 9 87");
    assertThat(phone.get("contacts/" + id).json().getString("email"))
        .isEqualTo("ann@example.org");
    assertThat(find(phone, "contacts", id).getString("name")).isEqualTo("Ann");
    assertThat(phone.delete("contacts/" + id).status()).isEqualTo(204);
    assertThat(phone.get("contacts/" + id).status()).isEqualTo(404);
  }

  @Test
  void aMessageGoesFromDraftToSentOnAnotherDeviceAndIsThenFinal() {
    String bob = created(phone.post("contacts", Map.of("name", "Bob"))).getString("id");
    Await.until("Bob on the tablet", () -> tablet.get("contacts/" + bob).status() == 200);
    JsonObject draft = created(tablet.post("messages", Map.of("to", bob, "body", "Hi Bob,")));
    String id = draft.getString("id");
    assertThat(draft.getString("status")).isEqualTo("draft");
    assertThat(draft.getString("toName")).isEqualTo("Bob");
    // A message is one write: once the PC has it at all, it has its recipient and status too.
    Await.until("the draft on the PC", () -> pc.get("messages/" + id).status() == 200);
    JsonObject onPc = pc.get("messages/" + id).json();
    assertThat(onPc.getString("status")).isEqualTo("draft");
    assertThat(onPc.getString("toName")).isEqualTo("Bob");
    assertThat(onPc.getString("body")).isEqualTo("Hi Bob,");
    assertThat(pc.patch("messages/" + id, Map.of("body", "Hi Bob, see you at 8.")).status())
        .isEqualTo(200);
    JsonObject sent = pc.post("messages/" + id + "/send", null).json();
    assertThat(sent.getString("status")).isEqualTo("sent");
    assertThat(find(pc, "messages", id).getString("body")).isEqualTo("Hi Bob, see you at 8.");

    Http.Reply again = pc.patch("messages/" + id, Map.of("body", "changed"));
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.error()).contains("sent");
    assertThat(pc.post("messages/" + id + "/send", null).status()).isEqualTo(409);
    Await.until("the sent message on the phone", () -> pc.get("messages/" + id).status() == 200
        && "sent".equals(phone.get("messages/" + id).json().getString("status")));
  }

  @Test
  void statusShowsPeersAndSaysInSyncOnceVectorsAgree() {
    created(pc.post("notes", Map.of("title", "status")));
    Await.until("the PC in sync", () -> pc.get("status").json().getBoolean("inSync"));
    JsonObject s = pc.get("status").json();
    assertThat(s.getString("device")).isEqualTo("PC");
    assertThat(s.getInteger("connected")).isEqualTo(2);
    assertThat(s.getJsonArray("peers").stream().map(p -> ((JsonObject) p).getString("name")))
        .containsExactlyInAnyOrder("phone", "tablet");
    for (Object p : s.getJsonArray("peers")) {
      JsonObject peer = (JsonObject) p;
      assertThat(peer.getLong("pendingOut")).isZero();
      assertThat(peer.getLong("pendingIn")).isZero();
      assertThat(peer.getLong("lastExchange")).isPositive();
    }
    JsonObject state = pc.get("state").json();
    assertThat(state.fieldNames()).contains("status", "notes", "contacts", "messages");
  }

  @Test
  void theOfflineSwitchCutsConnectionsAndConcurrentTitlesShowUntilOneIsPicked() {
    String id = created(phone.post("notes", Map.of("title", "Trip"))).getString("id");
    Await.until("the note on the tablet", () -> tablet.get("notes/" + id).status() == 200);
    try {
      assertThat(tablet.put("network", Map.of("online", false)).json().getBoolean("online"))
          .isFalse();
      Await.until("the tablet cut off", () -> tablet.get("status").json()
          .getInteger("connected") == 0 && pc.get("status").json().getInteger("connected") == 1);
      tablet.patch("notes/" + id, Map.of("title", "Trip to Lyon"));
      pc.patch("notes/" + id, Map.of("title", "Trip (PC)"));
      assertThat(pc.get("status").json().getJsonArray("peers").stream()
          .map(JsonObject.class::cast).filter(p -> p.getString("name").equals("tablet"))
          .findFirst().orElseThrow().getLong("pendingOut")).isPositive();
    } finally {
      tablet.put("network", Map.of("online", true));
    }
    List<String> both = List.of("Trip (PC)", "Trip to Lyon");
    for (Http d : List.of(phone, tablet, pc)) {
      Await.until("both titles everywhere", () -> {
        JsonArray c = d.get("notes/" + id).json().getJsonObject("conflicts").getJsonArray("title");
        return c != null && c.getList().equals(both);
      });
    }
    phone.patch("notes/" + id, Map.of("title", "Trip to Lyon"));
    for (Http d : List.of(phone, tablet, pc)) {
      Await.until("the pick everywhere", () -> {
        JsonObject n = d.get("notes/" + id).json();
        return n.getString("title").equals("Trip to Lyon") && n.getJsonObject("conflicts").isEmpty();
      });
    }
  }

  @Test
  void theEventStreamAnnouncesChanges() throws Exception {
    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(demo.device("PC").url() + "api/events")).build();
    java.net.http.HttpResponse<java.util.stream.Stream<String>> r =
        client.send(req, java.net.http.HttpResponse.BodyHandlers.ofLines());
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    try (java.util.stream.Stream<String> lines = r.body()) {
      java.util.Iterator<String> it = lines.iterator();
      assertThat(it.next()).isEqualTo("retry: 1000");
      phone.post("notes", Map.of("title", "live"));
      long changes = 0;
      long deadline = System.nanoTime() + Await.PATIENCE.toNanos();
      while (changes < 2 && System.nanoTime() < deadline && it.hasNext()) {
        // The first change event greets the page; the second is the phone's note arriving.
        changes += it.next().equals("event: change") ? 1 : 0;
      }
      assertThat(changes).isEqualTo(2);
    }
  }

  @Test
  void theDemoDevicesArePairedWithEachOtherAndOneMoreCanBePaired() {
    JsonObject p = phone.get("pairing").json();
    assertThat(p.getString("fingerprint")).hasSize(64);
    assertThat(p.getJsonArray("paired").stream().map(d -> ((JsonObject) d).getString("name")))
        .containsExactlyInAnyOrder("tablet", "PC");
    String laptop = "ab".repeat(32);
    JsonObject after = phone.post("pairing", Map.of("fingerprint", laptop, "name", "laptop"))
        .json();
    assertThat(after.getJsonArray("paired").stream()
        .map(d -> ((JsonObject) d).getString("fingerprint"))).contains(laptop);
  }
}
