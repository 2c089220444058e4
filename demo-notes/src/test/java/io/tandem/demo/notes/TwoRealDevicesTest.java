package io.tandem.demo.notes;

import static org.assertj.core.api.Assertions.assertThat;

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
    try (SingleDevice laptop = SingleDevice.start("laptop", dir.resolve("laptop"), "127.0.0.1",
            0, List.of(), "127.0.0.1", 0);
        SingleDevice phone = SingleDevice.start("phone", dir.resolve("phone"), "127.0.0.1", 0,
            List.of("127.0.0.1:" + laptop.syncPort()), "127.0.0.1", 0)) {
      Http onLaptop = new Http(laptop.device().url() + "api");
      Http onPhone = new Http(phone.device().url() + "api");
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
}
