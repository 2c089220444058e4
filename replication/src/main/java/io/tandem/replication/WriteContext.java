package io.tandem.replication;

import io.tandem.crdt.Hlc;
import io.tandem.crdt.ReplicaId;

/**
 * What a mutation needs to know: which replica writes, and the timestamp of this write (the
 * replica's hybrid logical clock, ticked for it), for last-writer-wins values.
 */
public record WriteContext(ReplicaId replica, Hlc hlc) {}
