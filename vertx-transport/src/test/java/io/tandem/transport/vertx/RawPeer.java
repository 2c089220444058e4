package io.tandem.transport.vertx;

import io.tandem.crdt.ReplicaId;
import io.tandem.replication.protocol.Message;
import io.tandem.replication.protocol.MessageCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A hand-driven TCP client on 127.0.0.1 that speaks the wire, or does not, as a test likes:
 * blocking java.net sockets, so it shares no code with the transport it attacks.
 */
final class RawPeer implements AutoCloseable {

  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  RawPeer(int port) throws IOException {
    socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setTcpNoDelay(true);
    out = socket.getOutputStream();
    in = socket.getInputStream();
  }

  RawPeer preamble() throws IOException {
    return raw(FrameDecoder.PREAMBLE);
  }

  RawPeer hello(ReplicaId as) throws IOException {
    return frame(bytes(MessageCodec.encode(new Message.Hello(Message.VERSION, as, false,
        false))));
  }

  /** One frame: its length, then its bytes. */
  RawPeer frame(byte[] body) throws IOException {
    return raw(ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array());
  }

  RawPeer raw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /**
   * Reads until the other side closes, and returns what it sent; fails if it has not closed
   * within {@code timeout}.
   */
  byte[] readUntilClosed(Duration timeout) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] buf = new byte[8192];
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("still open after " + timeout);
      }
      socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
      int n;
      try {
        n = in.read(buf);
      } catch (SocketTimeoutException e) {
        continue;
      } catch (IOException reset) {
        return got.toByteArray();
      }
      if (n < 0) {
        return got.toByteArray();
      }
      got.write(buf, 0, n);
    }
  }

  static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
