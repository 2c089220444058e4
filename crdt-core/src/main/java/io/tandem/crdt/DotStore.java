package io.tandem.crdt;

import java.util.function.Consumer;

/**
 * A value made of dots (Almeida et al., "dot stores"): the CRDTs that can live inside an
 * {@link OrMap} and share its causal context instead of keeping their own. {@link OrSet},
 * {@link MvRegister} and {@link OrMap} are dot stores; {@link DotFun} carries any other CRDT
 * inside a map. The lattice operations on stores are internal; apps use the types' own API.
 */
public abstract sealed class DotStore permits OrSet, MvRegister, OrMap, DotFun {

  DotStore() {}

  /** A rank per kind of store, so that two kinds under one map key order the same everywhere. */
  abstract int kind();

  /**
   * The join of this store and {@code other} (same kind) under the contexts of their owners.
   * Nested stores always join in full; only a value's top level takes the delta shortcut of
   * {@link DotMaps}, so nested stores never hold removal markers.
   */
  abstract DotStore joinStore(CausalContext mine, DotStore other, CausalContext theirs);

  /** This store without the dots {@code seen} covers: the join with bottom under {@code seen}. */
  abstract DotStore keepUnseen(CausalContext seen);

  /** Whether the store holds no dot (its context, if any, is not looked at). */
  abstract boolean isBottom();

  abstract void forEachDot(Consumer<Dot> action);

  /** The store alone, without context or removal markers, as it sits inside a map. */
  abstract DotStore detach();

  /** The app-facing value of this store under its container's context. */
  abstract Object attach(CausalContext context);

  /** The value's own context; empty for stores that sit inside a map. */
  abstract CausalContext ctx();

  /** Whether the value is a delta whose context covers only what its store mentions. */
  abstract boolean complete();
}
