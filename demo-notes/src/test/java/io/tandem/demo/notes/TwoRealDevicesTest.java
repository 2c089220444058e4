package io.tandem.demo.notes;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two devices as {@code --device} runs them, each with its own directory, TLS on its own TCP
 * port on 127.0.0.1: they sync once each has paired the other from its page's API.
 */
class TwoRealDevicesTest {

  @Test
  void twoDevicesSyncOnceEachPairedTheOtherByFingerprint(@TempDir Path dir) throws Exception {
    try (Pair two = Pair.start(dir)) {
      Http onLaptop = two.onLaptop();
      Http onPhone = two.onPhone();
      String id = onLaptop.post("notes", Map.of("title", "From the laptop")).json()
          .getString("id");
      // Unpaired, the TLS handshake refuses the phone: nothing gets through.
      assertThat(onPhone.get("status").json().getInteger("connected")).isZero();

      String laptopKey = onLaptop.get("pairing").json().getString("fingerprint");
      String phoneKey = onPhone.get("pairing").json().getString("fingerprint");
      assertThat(onPhone.post("pairing", Map.of("fingerprint", laptopKey, "name", "laptop"))
          .status()).isEqualTo(200);
      assertThat(onLaptop.post("pairing", Map.of("fingerprint", phoneKey, "name", "phone"))
          .status()).isEqualTo(200);

      Await.until("the laptop's note on the phone",
          () -> onPhone.get("notes/" + id).status() == 200);
      Await.until("both in sync", () -> onPhone.get("status").json().getBoolean("inSync")
          && onLaptop.get("status").json().getBoolean("inSync"));
      assertThat(onPhone.get("status").json().getJsonArray("peers").getJsonObject(0)
          .getString("name")).isEqualTo("laptop");
    }
  }

  @Test
  void twoDevicesPairedWithTheShortCodeFromThePageSyncANote(@TempDir Path dir) throws Exception {
    try (Pair two = Pair.start(dir)) {
      Http onLaptop = two.onLaptop();
      Http onPhone = two.onPhone();
      String id = onLaptop.post("notes", Map.of("title", "Paired by code")).json()
          .getString("id");

      String code = showCode(onLaptop, onPhone);
      Http.Reply typed = onPhone.post("pairing/code", Map.of("code", code));
      assertThat(typed.status()).as(typed.json().encode()).isEqualTo(200);

      assertThat(pairedNames(onPhone)).containsExactly("laptop");
      Await.until("the laptop pinned the phone", () -> pairedNames(onLaptop).contains("phone"));
      assertThat(onLaptop.get("pairing").json().getJsonObject("offer").getString("state"))
          .isEqualTo("paired");
      Await.until("the laptop's note on the phone",
          () -> onPhone.get("notes/" + id).status() == 200);
    }
  }

  @Test
  void aWrongCodeIsRefusedOnBothPagesAndPinsNothing(@TempDir Path dir) throws Exception {
    try (Pair two = Pair.start(dir)) {
      Http onLaptop = two.onLaptop();
      Http onPhone = two.onPhone();

      String code = showCode(onLaptop, onPhone);
      String wrong = String.format("%06d", (Integer.parseInt(code) + 1) % 1_000_000);
      Http.Reply typed = onPhone.post("pairing/code", Map.of("code", wrong));
      assertThat(typed.status()).isEqualTo(403);
      assertThat(typed.json().getString("error")).contains("wrong code");

      Await.until("the laptop's page tells the pairing failed", () -> onLaptop.get("pairing")
          .json().getJsonObject("offer").getString("state").startsWith("failed"));
      assertThat(onPhone.get("pairing").json().getJsonObject("join").getString("state"))
          .contains("wrong code");
      assertThat(pairedNames(onPhone)).isEmpty();
      assertThat(pairedNames(onLaptop)).isEmpty();
      assertThat(onPhone.get("status").json().getInteger("connected")).isZero();
    }
  }

  /** The laptop offers, the phone joins its host:port, and the laptop's page shows the code. */
  private static String showCode(Http onLaptop, Http onPhone) {
    int port = onLaptop.post("pairing/offer", Map.of()).json().getJsonObject("offer")
        .getInteger("port");
    assertThat(onPhone.post("pairing/join", Map.of("address", "127.0.0.1:" + port)).status())
        .isEqualTo(200);
    Await.until("the laptop's page shows a code", () -> onLaptop.get("pairing").json()
        .getJsonObject("offer").containsKey("code"));
    String code = onLaptop.get("pairing").json().getJsonObject("offer").getString("code");
    assertThat(code).matches("[0-9]{6}");
    return code;
  }

  private static List<String> pairedNames(Http api) {
    return api.get("pairing").json().getJsonArray("paired").stream()
        .map(d -> ((JsonObject) d).getString("name")).toList();
  }

  /** A laptop, and a phone that dials it: unpaired at first. */
  private record Pair(SingleDevice laptop, SingleDevice phone) implements AutoCloseable {

    static Pair start(Path dir) throws Exception {
      SingleDevice laptop = SingleDevice.start("laptop", dir.resolve("laptop"), "127.0.0.1", 0,
          List.of(), "127.0.0.1", 0);
      try {
        return new Pair(laptop, SingleDevice.start("phone", dir.resolve("phone"), "127.0.0.1",
            0, List.of("127.0.0.1:" + laptop.syncPort()), "127.0.0.1", 0));
      } catch (Exception | Error e) {
        laptop.close();
        throw e;
      }
    }

    Http onLaptop() {
      return new Http(laptop.device().url() + "api");
    }

    Http onPhone() {
      return new Http(phone.device().url() + "api");
    }

    @Override
    public void close() {
      try {
        phone.close();
      } finally {
        laptop.close();
      }
    }
  }
}
