package io.tandem.crdt;

import java.util.Objects;

/**
 * What one mutator made of a value {@code before}, in one pass: the {@link #delta} the mutator
 * returns alone, and the {@link #state} that value becomes once it merges that delta. The law:
 * {@code state().equals(before.merge(delta()))}, and {@code delta()} equals what the mutator
 * returns on {@code before}. A replica that applies its own writes keeps {@code state()} and
 * sends or stores {@code delta()}, and walks its state once per write instead of twice.
 *
 * <pre>{@code
 * Step<OrSet<String>> s = tags.addStep(self, "work");
 * tags = s.state();
 * outbox.add(s.delta());
 * }</pre>
 *
 * @param <T> the CRDT type
 */
public record Step<T extends Crdt<T>>(T state, T delta) {

  public Step {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(delta, "delta");
  }

  /** The step of merging {@code delta} into {@code before}: the slow path, for any type. */
  public static <T extends Crdt<T>> Step<T> of(T before, T delta) {
    return new Step<>(before.merge(delta), delta);
  }
}
