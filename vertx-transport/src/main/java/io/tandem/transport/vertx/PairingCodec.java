package io.tandem.transport.vertx;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Binary form of {@link PairingMessage}: {@code [type u8][version u8][fields]}, each variable
 * field as {@code [length u16][bytes]}. Decoding checks every length against what is left and
 * against the field's bound, and refuses trailing bytes.
 */
final class PairingCodec {

  static final int VERSION = 1;
  /** No pairing message is longer. */
  static final int MAX_MESSAGE_BYTES = 1024;

  private static final int COMMIT = 1;
  private static final int KEY = 2;
  private static final int CODE_COMMIT = 3;
  private static final int REVEAL = 4;
  private static final int OPEN = 5;
  private static final int DONE = 6;
  private static final int ABORT = 7;

  private PairingCodec() {}

  static byte[] encode(PairingMessage message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    if (message instanceof PairingMessage.Commit) {
      header(out, COMMIT).writeBytes(((PairingMessage.Commit) message).commitment());
    } else if (message instanceof PairingMessage.Key) {
      PairingMessage.Key key = (PairingMessage.Key) message;
      keyShare(header(out, KEY), key.publicKey(), key.name(), key.nonce());
    } else if (message instanceof PairingMessage.CodeCommit) {
      header(out, CODE_COMMIT).writeBytes(((PairingMessage.CodeCommit) message).commitment());
    } else if (message instanceof PairingMessage.Reveal) {
      PairingMessage.Reveal reveal = (PairingMessage.Reveal) message;
      keyShare(header(out, REVEAL), reveal.publicKey(), reveal.name(), reveal.nonce());
    } else if (message instanceof PairingMessage.Open) {
      PairingMessage.Open open = (PairingMessage.Open) message;
      field(header(out, OPEN), open.code().getBytes(StandardCharsets.UTF_8));
      out.writeBytes(open.salt());
    } else if (message instanceof PairingMessage.Done) {
      header(out, DONE).writeBytes(((PairingMessage.Done) message).transcript());
    } else {
      header(out, ABORT).write(((PairingMessage.Abort) message).reason().ordinal());
    }
    return out.toByteArray();
  }

  static PairingMessage decode(byte[] bytes) throws PairingException {
    if (bytes.length < 2 || bytes.length > MAX_MESSAGE_BYTES) {
      throw malformed("a message has 2 to " + MAX_MESSAGE_BYTES + " bytes, not " + bytes.length);
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    int type = in.get() & 0xFF;
    int version = in.get() & 0xFF;
    if (version != VERSION) {
      throw malformed("unsupported pairing version " + version);
    }
    PairingMessage message;
    try {
      switch (type) {
        case COMMIT:
          message = new PairingMessage.Commit(hash(in));
          break;
        case KEY:
          message = new PairingMessage.Key(field(in), text(in), hash(in));
          break;
        case CODE_COMMIT:
          message = new PairingMessage.CodeCommit(hash(in));
          break;
        case REVEAL:
          message = new PairingMessage.Reveal(field(in), text(in), hash(in));
          break;
        case OPEN:
          message = new PairingMessage.Open(text(in), hash(in));
          break;
        case DONE:
          message = new PairingMessage.Done(hash(in));
          break;
        case ABORT:
          message = abort(in);
          break;
        default:
          throw malformed("unknown message type " + type);
      }
    } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
      throw malformed("type " + type + " does not decode: " + e.getMessage());
    }
    if (in.hasRemaining()) {
      throw malformed(in.remaining() + " trailing bytes after type " + type);
    }
    return message;
  }

  private static PairingMessage abort(ByteBuffer in) throws PairingException {
    int reason = in.get() & 0xFF;
    PairingException.Reason[] reasons = PairingException.Reason.values();
    if (reason >= reasons.length) {
      throw malformed("unknown abort reason " + reason);
    }
    return new PairingMessage.Abort(reasons[reason]);
  }

  private static ByteArrayOutputStream header(ByteArrayOutputStream out, int type) {
    out.write(type);
    out.write(VERSION);
    return out;
  }

  private static void keyShare(ByteArrayOutputStream out, byte[] key, String name, byte[] nonce) {
    field(out, key);
    field(out, name.getBytes(StandardCharsets.UTF_8));
    out.writeBytes(nonce);
  }

  private static void field(ByteArrayOutputStream out, byte[] bytes) {
    out.write(bytes.length >>> 8);
    out.write(bytes.length);
    out.writeBytes(bytes);
  }

  private static byte[] field(ByteBuffer in) {
    int length = in.getShort() & 0xFFFF;
    if (length > in.remaining()) {
      throw new IllegalArgumentException("a field of " + length + " bytes with "
          + in.remaining() + " left");
    }
    byte[] bytes = new byte[length];
    in.get(bytes);
    return bytes;
  }

  private static String text(ByteBuffer in) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(field(in))).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("text is not UTF-8");
    }
  }

  private static byte[] hash(ByteBuffer in) {
    byte[] bytes = new byte[PairingMessage.HASH_BYTES];
    in.get(bytes);
    return bytes;
  }

  private static PairingException malformed(String why) {
    return new PairingException(PairingException.Reason.PROTOCOL, why);
  }
}
