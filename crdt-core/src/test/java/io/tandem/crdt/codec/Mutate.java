package io.tandem.crdt.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Random damage to valid encodings, as a careless or hostile peer would send. */
final class Mutate {

  private static final byte[] INTERESTING = {0, 1, 2, 3, 4, 5, 6, 10, 16, 17, 0x7F, (byte) 0x80,
      (byte) 0xFF};
  private static final byte[] BIG_VARINT = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
      (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F};
  private static final String JSON_CHARS = "{}[]\",:0123456789-.eE+truefalsn\\ abx\u00e9";
  private static final List<String> NUMBERS = List.of("0", "-1", "1.5", "-0", "1e999",
      "2147483648", "9223372036854775808", "99999999999999999999999");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Mutate() {}

  /** One to three random edits of {@code b}. */
  static byte[] bytes(byte[] b, Random r) {
    byte[] m = b;
    for (int n = 1 + r.nextInt(3); n > 0; n--) {
      m = once(m, r);
    }
    return m;
  }

  private static byte[] once(byte[] b, Random r) {
    if (b.length == 0) {
      return new byte[] {(byte) r.nextInt()};
    }
    int at = r.nextInt(b.length);
    byte[] m = b.clone();
    switch (r.nextInt(8)) {
      case 0 -> m[at] ^= (byte) (1 << r.nextInt(8));
      case 1 -> m[at] = INTERESTING[r.nextInt(INTERESTING.length)];
      case 2 -> m[at] = (byte) r.nextInt();
      case 3 -> {
        byte[] ins = new byte[1 + r.nextInt(4)];
        r.nextBytes(ins);
        m = splice(b, at, 0, ins);
      }
      case 4 -> m = splice(b, at, 1 + r.nextInt(Math.min(8, b.length - at)), new byte[0]);
      case 5 -> {
        int len = 1 + r.nextInt(Math.min(16, b.length - at));
        m = splice(b, r.nextInt(b.length + 1), 0, Arrays.copyOfRange(b, at, at + len));
      }
      case 6 -> m = splice(b, at, Math.min(BIG_VARINT.length, b.length - at), BIG_VARINT);
      default -> {
        // A valid header over noise reaches the body parsers most often.
        m = new byte[2 + r.nextInt(40)];
        r.nextBytes(m);
        m[0] = b[0];
        m[1] = 1;
      }
    }
    return m;
  }

  private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
    byte[] m = new byte[b.length - remove + insert.length];
    System.arraycopy(b, 0, m, 0, at);
    System.arraycopy(insert, 0, m, at, insert.length);
    System.arraycopy(b, at + remove, m, at + insert.length, b.length - at - remove);
    return m;
  }

  /** One to three random edits of JSON text. */
  static String text(String s, Random r) {
    String m = s;
    for (int n = 1 + r.nextInt(3); n > 0; n--) {
      m = textOnce(m, r);
    }
    return m;
  }

  private static String textOnce(String s, Random r) {
    if (s.isEmpty()) {
      return "{";
    }
    int at = r.nextInt(s.length());
    StringBuilder b = new StringBuilder(s);
    switch (r.nextInt(6)) {
      case 0 -> b.setCharAt(at, JSON_CHARS.charAt(r.nextInt(JSON_CHARS.length())));
      case 1 -> b.delete(at, Math.min(s.length(), at + 1 + r.nextInt(6)));
      case 2 -> b.insert(at, JSON_CHARS.charAt(r.nextInt(JSON_CHARS.length())));
      case 3 -> b.setLength(at);
      case 4 -> {
        int end = at;
        while (end < s.length() && Character.isDigit(s.charAt(end))) {
          end++;
        }
        b.replace(at, end, NUMBERS.get(r.nextInt(NUMBERS.size())));
      }
      default -> b.insert(r.nextInt(s.length() + 1),
          s, at, Math.min(s.length(), at + 1 + r.nextInt(20)));
    }
    return b.toString();
  }

  /** A deep copy of {@code tree} with one container edited: well-formed JSON, wrong content. */
  static JsonNode tree(JsonNode tree, Random r) {
    JsonNode copy = tree.deepCopy();
    List<JsonNode> containers = new ArrayList<>();
    collect(copy, containers);
    JsonNode c = containers.get(r.nextInt(containers.size()));
    if (c instanceof ObjectNode o) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      String f = names.isEmpty() ? "x" : names.get(r.nextInt(names.size()));
      switch (r.nextInt(3)) {
        case 0 -> o.remove(f);
        case 1 -> o.set(f, junk(r));
        default -> o.set(r.nextBoolean() ? "x" : f + "2", junk(r));
      }
    } else {
      ArrayNode a = (ArrayNode) c;
      int i = a.isEmpty() ? 0 : r.nextInt(a.size());
      switch (a.isEmpty() ? 3 : r.nextInt(4)) {
        case 0 -> a.remove(i);
        case 1 -> a.insert(i, a.get(i).deepCopy());
        case 2 -> a.set(i, junk(r));
        default -> a.add(junk(r));
      }
    }
    return copy;
  }

  private static void collect(JsonNode n, List<JsonNode> out) {
    if (n.isContainerNode()) {
      out.add(n);
      n.elements().forEachRemaining(c -> collect(c, out));
    }
  }

  private static JsonNode junk(Random r) {
    return switch (r.nextInt(16)) {
      case 0 -> NODES.nullNode();
      case 1 -> NODES.booleanNode(true);
      case 2 -> NODES.numberNode(0);
      case 3 -> NODES.numberNode(-1L);
      case 4 -> NODES.numberNode(1.5);
      case 5 -> NODES.textNode("");
      case 6 -> NODES.textNode("00000000000000a1");
      case 7 -> NODES.arrayNode();
      case 8 -> NODES.objectNode();
      case 9 -> NODES.arrayNode().add("00000000000000a1").add(1 + r.nextInt(3));
      case 10 -> NODES.objectNode().put("int", r.nextInt());
      case 11 -> NODES.objectNode().put("double", "NaN");
      case 12 -> NODES.numberNode(Long.MAX_VALUE);
      case 13 -> NODES.numberNode(new BigInteger("99999999999999999999999"));
      case 14 -> NODES.textNode("0000000000000000");
      default -> NODES.textNode("\ud800");
    };
  }
}
