package io.tandem.demo.notes;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fields of one kind of document (a note, a contact, a message) and how JSON input for them
 * is checked. {@link #check} validates a whole request before anything is written, so a bad
 * field refuses the request and leaves the replica as it was.
 */
record Schema(String kind, List<Field> fields) {

  /** How a field is held: text in a multi-value register, tags in an add-wins set, a flag. */
  enum Type { TEXT, TAGS, FLAG }

  /**
   * @param writable whether clients may set it directly (a message's status changes by sending)
   * @param required whether a new document must have it
   */
  record Field(String name, Type type, int maxLength, boolean writable, boolean required) {}

  static final int MAX_TAGS = 20;
  static final int MAX_TAG_LENGTH = 40;

  static Field text(String name, int maxLength) {
    return new Field(name, Type.TEXT, maxLength, true, false);
  }

  static Field required(String name, int maxLength) {
    return new Field(name, Type.TEXT, maxLength, true, true);
  }

  static final Schema NOTE = new Schema("note", List.of(text("title", 200),
      text("body", 20_000), new Field("tags", Type.TAGS, MAX_TAG_LENGTH, true, false),
      new Field("pinned", Type.FLAG, 0, true, false)));

  static final Schema CONTACT = new Schema("contact", List.of(required("name", 200),
      text("email", 200), text("phone", 50)));

  static final Schema MESSAGE = new Schema("message", List.of(required("to", 64),
      text("body", 20_000), new Field("status", Type.TEXT, 10, false, false)));

  Field field(String name) {
    for (Field f : fields) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    return null;
  }

  /**
   * The checked values of {@code input}, by field name: a String, a Boolean or a Set of tags.
   *
   * @param creating whether this makes a new document (required fields must be there)
   * @throws ApiException 400 naming the first bad field
   */
  Map<String, Object> check(JsonObject input, boolean creating) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String name : input.fieldNames()) {
      Field f = field(name);
      if (f == null || !f.writable()) {
        throw ApiException.badRequest("unknown field '" + name + "' for a " + kind
            + "; fields: " + writableNames());
      }
      out.put(name, value(f, input.getValue(name)));
    }
    if (creating) {
      for (Field f : fields) {
        if (f.required() && (!out.containsKey(f.name()) || out.get(f.name()).equals(""))) {
          throw ApiException.badRequest("a " + kind + " needs a non-empty '" + f.name() + "'");
        }
      }
    } else if (out.isEmpty()) {
      throw ApiException.badRequest("nothing to change; fields: " + writableNames());
    }
    return out;
  }

  private Object value(Field f, Object v) {
    switch (f.type()) {
      case TEXT:
        if (!(v instanceof String s)) {
          throw wrongType(f, "a string", v);
        }
        if (s.length() > f.maxLength()) {
          throw ApiException.badRequest("'" + f.name() + "' is longer than " + f.maxLength()
              + " characters");
        }
        checkText(f, s);
        return s;
      case FLAG:
        if (!(v instanceof Boolean b)) {
          throw wrongType(f, "true or false", v);
        }
        return b;
      case TAGS:
        if (!(v instanceof JsonArray a)) {
          throw wrongType(f, "an array of strings", v);
        }
        if (a.size() > MAX_TAGS) {
          throw ApiException.badRequest("at most " + MAX_TAGS + " tags");
        }
        Set<String> tags = new LinkedHashSet<>();
        for (Object t : a) {
          if (!(t instanceof String s) || s.isBlank() || s.length() > MAX_TAG_LENGTH) {
            throw ApiException.badRequest("each tag is a non-empty string of at most "
                + MAX_TAG_LENGTH + " characters");
          }
          checkText(f, s);
          tags.add(s.strip());
        }
        return tags;
      default:
        throw new IllegalStateException(f.type().name());
    }
  }

  /** Registers refuse lone surrogates (they cannot travel as UTF-8): refuse them here first. */
  private static void checkText(Field f, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw ApiException.badRequest("'" + f.name() + "' holds an unpaired surrogate");
      }
    }
  }

  private static ApiException wrongType(Field f, String expected, Object got) {
    String what = got == null ? "null" : got instanceof JsonObject ? "an object"
        : got instanceof JsonArray ? "an array" : got.getClass().getSimpleName().toLowerCase();
    return ApiException.badRequest("'" + f.name() + "' must be " + expected + ", not " + what);
  }

  private List<String> writableNames() {
    List<String> names = new ArrayList<>();
    for (Field f : fields) {
      if (f.writable()) {
        names.add(f.name());
      }
    }
    return names;
  }
}
