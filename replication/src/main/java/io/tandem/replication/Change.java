package io.tandem.replication;

import io.tandem.crdt.ReplicaId;

/**
 * One applied delta, as listeners see it: which object changed, and whose write it was.
 *
 * @param local whether this replica wrote it (else it came from a peer)
 */
public record Change(String object, ReplicaId origin, long seq, boolean local) {}
