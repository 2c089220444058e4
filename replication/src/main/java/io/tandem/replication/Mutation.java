package io.tandem.replication;

import io.tandem.crdt.Crdt;
import io.tandem.crdt.Step;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * An app's change to one object: given its current value, return the delta of one mutator.
 *
 * <pre>{@code
 * replica.update("notes", OrMap.empty(), (notes, w) ->
 *     notes.update(w.replica(), noteId, LwwRegister.<String>empty(), t -> t.assign(w.hlc(), "Hi")));
 * }</pre>
 *
 * <p>A type whose mutator makes its {@link Step} in one pass (such as {@code OrSet.addStep} or
 * {@code OrMap.updateStep}) can hand it to the replica through {@link #stepwise}, which saves
 * the replica the second walk of merging the delta into the value it queues the next write on:
 *
 * <pre>{@code
 * replica.update("tags", OrSet.empty(), Mutation.stepwise((tags, w) ->
 *     tags.addStep(w.replica(), "work")));
 * }</pre>
 */
@FunctionalInterface
public interface Mutation<T extends Crdt<T>> {

  T apply(T current, WriteContext write);

  /**
   * The delta of this mutation on {@code current}, and {@code current} merged with it. The law:
   * {@code step(c, w).state().equals(c.merge(step(c, w).delta()))}.
   */
  default Step<T> step(T current, WriteContext write) {
    return Step.of(current, apply(current, write));
  }

  /**
   * The mutation whose step is {@code f}'s: {@code f} must return the step of one mutator on the
   * value it is given (a type's step method, or {@link Step#of}), never one made on another value.
   */
  static <T extends Crdt<T>> Mutation<T> stepwise(BiFunction<T, WriteContext, Step<T>> f) {
    Objects.requireNonNull(f, "f");
    return new Mutation<>() {
      @Override
      public T apply(T current, WriteContext write) {
        return f.apply(current, write).delta();
      }

      @Override
      public Step<T> step(T current, WriteContext write) {
        return f.apply(current, write);
      }
    };
  }
}
