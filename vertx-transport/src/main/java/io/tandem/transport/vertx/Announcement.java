package io.tandem.transport.vertx;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a device multicasts on its LAN: "I am {@code device}, listening on {@code port}". Not
 * authenticated: hearing one only makes a connection attempt, and the channel security decides
 * who the other end is.
 *
 * <p>Wire form, 8 to 135 bytes: {@code "TNDA"}, version u8 (1), port u16, device length u8
 * (1..{@value #MAX_DEVICE}), device in ASCII letters, digits and {@code :._-}. Anything else is
 * refused with a {@link MalformedAnnouncementException} before a string is built.
 */
public record Announcement(String device, int port) {

  public static final int MAX_DEVICE = 128;
  private static final byte[] MAGIC = {'T', 'N', 'D', 'A'};
  private static final int VERSION = 1;

  public Announcement {
    Objects.requireNonNull(device, "device");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    byte[] b = device.getBytes(StandardCharsets.US_ASCII);
    if (b.length < 1 || b.length > MAX_DEVICE || !allowed(b, 0, b.length)
        || b.length != device.length()) {
      throw new IllegalArgumentException("device name must be 1.." + MAX_DEVICE
          + " of [A-Za-z0-9:._-]: " + device);
    }
  }

  public byte[] encode() {
    byte[] d = device.getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(MAGIC.length + 4 + d.length).put(MAGIC).put((byte) VERSION)
        .putShort((short) port).put((byte) d.length).put(d).array();
  }

  public static Announcement decode(byte[] bytes) throws MalformedAnnouncementException {
    if (bytes.length < MAGIC.length + 5) {
      throw new MalformedAnnouncementException("truncated: " + bytes.length + " bytes");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes[i] != MAGIC[i]) {
        throw new MalformedAnnouncementException("not a Tandem announcement");
      }
    }
    int version = bytes[4] & 0xff;
    if (version != VERSION) {
      throw new MalformedAnnouncementException("unsupported version " + version);
    }
    int port = ((bytes[5] & 0xff) << 8) | (bytes[6] & 0xff);
    int length = bytes[7] & 0xff;
    if (port == 0) {
      throw new MalformedAnnouncementException("port 0");
    }
    if (length < 1 || length > MAX_DEVICE || length != bytes.length - 8) {
      throw new MalformedAnnouncementException("device length " + length + " but "
          + (bytes.length - 8) + " bytes follow");
    }
    if (!allowed(bytes, 8, bytes.length)) {
      throw new MalformedAnnouncementException("device name has a forbidden character");
    }
    return new Announcement(new String(bytes, 8, length, StandardCharsets.US_ASCII), port);
  }

  private static boolean allowed(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      int c = b[i];
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == ':' || c == '.' || c == '_' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** An announcement that is not one; the datagram is dropped and the reason logged. */
  public static final class MalformedAnnouncementException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedAnnouncementException(String message) {
      super(message);
    }
  }
}
