package io.tandem.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The frame decoder alone: frames split at any byte boundary come out whole and in order;
 * arbitrary bytes never make it throw, never deliver a frame above the maximum, and stop it at
 * the first refusal.
 */
class FrameDecoderTest {

  private static final int EXAMPLES = Integer.getInteger("tandem.examples", 1000);
  private static final int MAX = 1024;

  @Test
  void framesSplitAnywhereArriveWholeAndInOrder() {
    qt().withExamples(EXAMPLES).forAll(longs().all()).checkAssert(seed -> {
      Random r = new Random(seed);
      List<byte[]> sent = new ArrayList<>();
      ByteArrayOutputStream wire = new ByteArrayOutputStream();
      wire.writeBytes(FrameDecoder.PREAMBLE);
      for (int i = 0; i < 1 + r.nextInt(20); i++) {
        if (r.nextInt(5) == 0) {
          wire.writeBytes(new byte[4]); // a heartbeat between frames
        }
        byte[] f = new byte[1 + r.nextInt(MAX)];
        r.nextBytes(f);
        sent.add(f);
        wire.writeBytes(ByteBuffer.allocate(4).putInt(f.length).array());
        wire.writeBytes(f);
      }
      Sink sink = new Sink();
      feedInChunks(new FrameDecoder(MAX, sink), wire.toByteArray(), r);
      assertThat(sink.refusals).isEmpty();
      assertThat(sink.preambles).isEqualTo(1);
      assertThat(sink.frames).containsExactlyElementsOf(sent);
    });
  }

  @Test
  void arbitraryBytesNeverThrowNorDeliverAFrameAboveTheMaximum() {
    qt().withExamples(EXAMPLES * 5).forAll(integers().between(0, 4096), longs().all())
        .checkAssert((n, seed) -> {
          Random r = new Random(seed);
          byte[] wire = new byte[n];
          r.nextBytes(wire);
          if (r.nextBoolean()) {
            System.arraycopy(FrameDecoder.PREAMBLE, 0, wire, 0, Math.min(8, n));
          }
          Sink sink = new Sink();
          feedInChunks(new FrameDecoder(MAX, sink), wire, r);
          assertThat(sink.frames).allSatisfy(f -> assertThat(f.length).isBetween(1, MAX));
          assertThat(sink.refusals).hasSizeLessThanOrEqualTo(1);
          if (!sink.refusals.isEmpty()) {
            assertThat(sink.afterRefusal).as("events after the refusal").isZero();
          }
        });
  }

  @Test
  void lengthAboveTheMaximumIsRefusedWithoutWaitingForTheBody() {
    Sink sink = new Sink();
    FrameDecoder d = new FrameDecoder(MAX, sink);
    d.feed(Buffer.buffer(FrameDecoder.PREAMBLE));
    d.feed(Buffer.buffer(ByteBuffer.allocate(4).putInt(MAX + 1).array()));
    assertThat(sink.refusals).containsExactly(RefusalReason.FRAME_TOO_LARGE);
    assertThat(d.inBody()).isFalse();
  }

  private static void feedInChunks(FrameDecoder d, byte[] wire, Random r) {
    int at = 0;
    while (at < wire.length) {
      int n = Math.min(wire.length - at, 1 + r.nextInt(r.nextBoolean() ? 3 : 700));
      d.feed(Buffer.buffer(java.util.Arrays.copyOfRange(wire, at, at + n)));
      at += n;
    }
  }

  private static final class Sink implements FrameDecoder.Sink {
    final List<byte[]> frames = new ArrayList<>();
    final List<RefusalReason> refusals = new ArrayList<>();
    int preambles;
    int afterRefusal;

    @Override
    public void preamble() {
      event();
      preambles++;
    }

    @Override
    public void heartbeat() {
      event();
    }

    @Override
    public void frame(Buffer body) {
      event();
      frames.add(body.getBytes());
    }

    @Override
    public void refuse(RefusalReason reason, String detail) {
      event();
      refusals.add(reason);
    }

    private void event() {
      if (!refusals.isEmpty()) {
        afterRefusal++;
      }
    }
  }
}
