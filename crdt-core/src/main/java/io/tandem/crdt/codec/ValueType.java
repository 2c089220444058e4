package io.tandem.crdt.codec;

import io.tandem.crdt.CausalContext;
import io.tandem.crdt.GCounter;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.MvRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.PnCounter;
import io.tandem.crdt.VersionVector;

/** The top-level types both codecs write, with their binary tag and JSON name. */
enum ValueType {
  LWW_REGISTER(1, 1, "lww-register", LwwRegister.class),
  MV_REGISTER(2, 2, "mv-register", MvRegister.class),
  OR_SET(3, 3, "or-set", OrSet.class),
  OR_MAP(4, 4, "or-map", OrMap.class),
  G_COUNTER(5, 5, "g-counter", GCounter.class),
  PN_COUNTER(6, 6, "pn-counter", PnCounter.class),
  VERSION_VECTOR(7, 16, "version-vector", VersionVector.class),
  CAUSAL_CONTEXT(8, 17, "causal-context", CausalContext.class);

  /** The version of the JSON form, and of the binary form before v2 folded it into the head. */
  static final int VERSION = 1;

  /** The type's number in the four low bits of a binary v2 head. */
  final int code;
  final int tag;
  final String jsonName;
  final Class<?> javaType;

  ValueType(int code, int tag, String jsonName, Class<?> javaType) {
    this.code = code;
    this.tag = tag;
    this.jsonName = jsonName;
    this.javaType = javaType;
  }

  /**
   * The type of {@code value}.
   *
   * @throws IllegalArgumentException if the codecs do not write values of its class
   */
  static ValueType of(Object value) {
    for (ValueType t : values()) {
      if (t.javaType.isInstance(value)) {
        return t;
      }
    }
    throw new IllegalArgumentException("cannot encode "
        + (value == null ? "null" : value.getClass().getName())
        + ": use LwwRegister, MvRegister, OrSet, OrMap, GCounter, PnCounter, VersionVector or"
        + " CausalContext");
  }

  /** The type with this binary tag, or null. */
  static ValueType ofTag(int tag) {
    for (ValueType t : values()) {
      if (t.tag == tag) {
        return t;
      }
    }
    return null;
  }

  /** The type with this v2 code, or null. */
  static ValueType ofCode(int code) {
    for (ValueType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    return null;
  }

  /** The type with this JSON name, or null. */
  static ValueType ofName(String name) {
    for (ValueType t : values()) {
      if (t.jsonName.equals(name)) {
        return t;
      }
    }
    return null;
  }

  /** Whether a value of this type satisfies a caller who asked for {@code expected}. */
  boolean fits(Class<?> expected) {
    return expected.isAssignableFrom(javaType);
  }
}
