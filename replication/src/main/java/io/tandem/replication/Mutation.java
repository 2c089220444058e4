package io.tandem.replication;

import io.tandem.crdt.Crdt;

/**
 * An app's change to one object: given its current value, return the delta of one mutator.
 *
 * <pre>{@code
 * replica.update("notes", OrMap.empty(), (notes, w) ->
 *     notes.update(w.replica(), noteId, LwwRegister.<String>empty(), t -> t.assign(w.hlc(), "Hi")));
 * }</pre>
 */
@FunctionalInterface
public interface Mutation<T extends Crdt<T>> {

  T apply(T current, WriteContext write);
}
