package io.tandem.crdt.codec;

import io.tandem.crdt.CausalContext;
import io.tandem.crdt.Dot;
import io.tandem.crdt.DotFun;
import io.tandem.crdt.DotStore;
import io.tandem.crdt.MvRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.OrSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The one order in which both codecs write the entries of sets and maps. Their iteration order
 * depends on hashes and history, so equal values would otherwise encode differently on two
 * replicas; sorting by the encoded key bytes gives an order that needs no comparator between a
 * string and a long, and that a decoder can check on the raw input.
 */
final class Canonical {

  private Canonical() {}

  /** An element of a set with its dots in dot order (none for a removal in a delta). */
  record Element(byte[] keyBytes, Object element, List<Dot> dots) {}

  /** A key of a map with its stores in kind order (none for a removal in a delta). */
  record Slot(byte[] keyBytes, Object key, List<DotStore> stores) {}

  private static final Comparator<byte[]> UNSIGNED = Arrays::compareUnsigned;

  static List<Element> elements(OrSet<?> set) {
    return elements(set, false);
  }

  /** The elements in the order of their binary form, of format v2 if {@code v2}. */
  static List<Element> elements(OrSet<?> set, boolean v2) {
    List<Element> out = new ArrayList<>();
    set.forEachEntry((e, dots) -> out.add(new Element(Scalars.bytes(e, v2), e, sorted(dots))));
    out.sort(Comparator.comparing(Element::keyBytes, UNSIGNED));
    return out;
  }

  static List<Slot> slots(OrMap<?, ?> map) {
    return slots(map, false);
  }

  /** The keys in the order of their binary form, of format v2 if {@code v2}. */
  static List<Slot> slots(OrMap<?, ?> map, boolean v2) {
    List<Slot> out = new ArrayList<>();
    map.forEachEntry((k, stores) -> {
      List<DotStore> s = new ArrayList<>(stores);
      s.sort(Comparator.comparingInt(x -> StoreKind.of(x).tag));
      out.add(new Slot(Scalars.bytes(k, v2), k, s));
    });
    out.sort(Comparator.comparing(Slot::keyBytes, UNSIGNED));
    return out;
  }

  static List<Dot> sorted(Collection<Dot> dots) {
    List<Dot> s = new ArrayList<>(dots);
    s.sort(null);
    return s;
  }

  /** Visits every dot of {@code store} and of the stores nested in it. */
  static void forEachStoreDot(DotStore store, Consumer<Dot> action) {
    if (store instanceof OrSet<?> s) {
      s.forEachEntry((e, dots) -> dots.forEach(action));
    } else if (store instanceof MvRegister<?> r) {
      r.entries().keySet().forEach(action);
    } else if (store instanceof OrMap<?, ?> m) {
      m.forEachEntry((k, stores) -> stores.forEach(s -> forEachStoreDot(s, action)));
    } else {
      ((DotFun<?>) store).entries().keySet().forEach(action);
    }
  }

  /**
   * The cloud of {@code ctx} without the dots that {@code store} holds: the binary form leaves
   * those out, since a decoder adds every store dot back. A delta's context is mostly its own new
   * dots, so this keeps a one-element delta at one dot.
   */
  static List<Dot> cloudOutside(CausalContext ctx, DotStore store) {
    List<Dot> cloud = ctx.cloud();
    if (cloud.isEmpty()) {
      return cloud;
    }
    Set<Dot> held = new HashSet<>();
    forEachStoreDot(store, held::add);
    List<Dot> out = new ArrayList<>(cloud.size());
    for (Dot d : cloud) {
      if (!held.contains(d)) {
        out.add(d);
      }
    }
    return out;
  }
}
