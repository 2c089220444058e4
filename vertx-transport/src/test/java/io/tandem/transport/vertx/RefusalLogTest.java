package io.tandem.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Refusals reach the log (System.Logger, here backed by java.util.logging) with their reason. */
class RefusalLogTest {

  private final Logger logger = Logger.getLogger("io.tandem.transport.vertx.refusals");
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord record) {
      records.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void capture() {
    logger.addHandler(handler);
  }

  @AfterEach
  void release() {
    logger.removeHandler(handler);
  }

  @Test
  void refusalIsLoggedWithItsReasonAndPeerEvenWhenTheListenerFails() throws Exception {
    Fingerprint peer = new Fingerprint("0f".repeat(32));
    PinnedTrustManager trust = new PinnedTrustManager(
        TrustedDevices.open(java.nio.file.Files.createTempDirectory("refusal-log")),
        refusal -> {
          throw new IllegalStateException("a broken metrics listener");
        });

    RefusedPeerException refused = org.junit.jupiter.api.Assertions.assertThrows(
        RefusedPeerException.class,
        () -> trust.check(new java.security.cert.X509Certificate[0]));

    assertThat(refused.refusal().reason()).isEqualTo(Refusal.Reason.NO_CERTIFICATE);
    assertThat(records).anySatisfy(record -> {
      assertThat(record.getLevel()).isEqualTo(Level.WARNING);
      assertThat(java.text.MessageFormat.format(record.getMessage(), record.getParameters()))
          .contains("NO_CERTIFICATE");
    });
    assertThat(new Refusal(Refusal.Reason.REVOKED, peer, "revoked").toString())
        .contains("REVOKED").contains(peer.abbreviated());
  }
}
