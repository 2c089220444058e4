package io.tandem.replication.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tandem.replication.protocol.Message.Ephemeral;
import io.tandem.replication.protocol.ProtocolException.Reason;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The ephemeral message on the wire (type 10): its exact bytes, its limits on both sides, and
 * every prefix of a valid frame refused as truncated. The round-trip and mutation properties of
 * {@link MessageCodecTest} cover it with the other messages.
 */
class EphemeralWireTest {

  private static final HexFormat HEX = HexFormat.of();

  @Test
  void typingIndicatorIsTypeSeqTopicAndPayloadWithAnEmptyReplicaTable() {
    ByteBuffer frame = MessageCodec.encode(new Ephemeral(3, "typing",
        new byte[] {1, 2}));
    assertThat(HEX.formatHex(MessageCodecTest.bytes(frame)))
        .isEqualTo("0a" + "00" + "03" + "06" + HEX.formatHex("typing".getBytes()) + "020102");
    assertThat(MessageCodec.kindOf(frame)).isEqualTo("ephemeral");
  }

  @Test
  void largestTopicAndPayloadRoundTrip() throws ProtocolException {
    String topic = "é".repeat(127) + "x"; // 255 UTF-8 bytes
    byte[] payload = new byte[Ephemeral.MAX_PAYLOAD_BYTES];
    Arrays.fill(payload, (byte) 0x5a);
    Ephemeral big = new Ephemeral(Long.MAX_VALUE / 2, topic, payload);
    Ephemeral small = new Ephemeral(1, "p", new byte[0]);
    for (Ephemeral e : new Ephemeral[] {big, small}) {
      assertThat(MessageCodec.decode(MessageCodec.encode(e), ProtocolLimits.DEFAULT))
          .isEqualTo(e);
    }
  }

  @Test
  void messagesBeyondTheLimitsCannotBeMade() {
    assertThatThrownBy(() -> new Ephemeral(1, "x".repeat(256), new byte[0]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1-255");
    assertThatThrownBy(() -> new Ephemeral(1, "", new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Ephemeral(1, "t", new byte[Ephemeral.MAX_PAYLOAD_BYTES + 1]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65536");
    assertThatThrownBy(() -> new Ephemeral(0, "t", new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Ephemeral(1, "a\uD800b", new byte[0]))
        .as("a lone surrogate has no UTF-8 form").isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void claimedLengthsAboveTheLimitsAreRefusedBeforeAllocating() {
    // A topic length of 2^40 and a payload length of 2^62, with nothing behind them.
    assertThat(reason("0a0001" + "8080808080200074")).isEqualTo(Reason.LIMIT_EXCEEDED);
    assertThat(reason("0a0001" + "0174" + "80808080808080804000"))
        .isEqualTo(Reason.LIMIT_EXCEEDED);
    // Within the limits but beyond the frame.
    assertThat(reason("0a0001" + "0174" + "808004")).isEqualTo(Reason.TRUNCATED);
  }

  @Test
  void everyPrefixOfAValidFrameIsTruncated() {
    byte[] valid = MessageCodecTest.bytes(MessageCodec.encode(new Ephemeral(300, "presence/pc",
        "{\"online\":true}".getBytes())));
    for (int n = 0; n < valid.length; n++) {
      assertThat(reason(HEX.formatHex(Arrays.copyOf(valid, n)))).as("prefix of %d", n)
          .isEqualTo(Reason.TRUNCATED);
    }
  }

  @Test
  void topicThatIsNotUtf8AndTrailingBytesAreMalformed() {
    assertThat(reason("0a0001" + "02c328" + "00")).isEqualTo(Reason.MALFORMED);
    assertThat(reason("0a0001" + "0174" + "00" + "ff")).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void frameAboveTheConfiguredMaximumIsRefusedWhateverItHolds() {
    byte[] frame = MessageCodecTest.bytes(MessageCodec.encode(new Ephemeral(1, "t",
        new byte[200])));
    ProtocolException e = catchThrowableOfType(ProtocolException.class,
        () -> MessageCodec.decode(ByteBuffer.wrap(frame), new ProtocolLimits(128, 10, 10)));
    assertThat(e.reason()).isEqualTo(Reason.LIMIT_EXCEEDED);
  }

  private static Reason reason(String hex) {
    try {
      MessageCodec.decode(ByteBuffer.wrap(HEX.parseHex(hex)), ProtocolLimits.DEFAULT);
      return null;
    } catch (ProtocolException e) {
      return e.reason();
    }
  }
}
