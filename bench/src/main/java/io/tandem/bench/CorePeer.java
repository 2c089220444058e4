package io.tandem.bench;

import java.util.List;
import java.util.function.Supplier;

/**
 * One CRDT library under the workloads of part 1: Tandem, Pekko Distributed Data or Automerge.
 * Every method builds what it measures from nothing, the same way for every peer: one mutator
 * call per element, its delta taken and merged into the state (or, for Automerge, one commit).
 */
interface CorePeer extends AutoCloseable {

  /** Peers in the order a round runs them (the suite rotates it from round to round). */
  List<String> NAMES = List.of("tandem", "pekko", "automerge");

  static CorePeer named(String name) {
    Supplier<CorePeer> s = switch (name) {
      case "tandem" -> TandemPeer::new;
      case "pekko" -> PekkoPeer::new;
      case "automerge" -> AutomergePeer::new;
      default -> throw new IllegalArgumentException("no peer " + name);
    };
    return s.get();
  }

  /** Adds every element, one at a time, each producing its delta merged into the state. */
  Object setAdds(String[] elements);

  /** Puts every key's value into a map of last-writer-wins registers, one at a time. */
  Object mapPuts(String[] keys, String[] values);

  /** Two replicas of {@code n} elements that share {@code n - k}, built independently. */
  Diverged diverged(int n, int k);

  /** The number of elements or keys of a state this peer built. */
  long size(Object state);

  /** Frees a state this peer built, where it holds memory outside the Java heap. */
  default void release(Object state) {}

  /** Bytes of the delta of one more add to a set of {@code n}, in the peer's own codec. */
  long setAddDeltaBytes(int n);

  /** Bytes of the delta of updating one existing field of a map of {@code n}. */
  long mapUpdateDeltaBytes(int n);

  /** Bytes of a whole set of {@code n} elements, in the peer's own codec. */
  long setStateBytes(int n);

  /** Bytes of a whole map of {@code n} keys, in the peer's own codec. */
  long mapStateBytes(int n);

  /** Whether the peer keeps its state outside the Java heap, so only RSS shows its memory. */
  default boolean nativeMemory() {
    return false;
  }

  @Override
  default void close() {}
}
