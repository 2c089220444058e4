package io.tandem.demo.notes;

import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.replication.PeerStatus;
import io.tandem.replication.Replica;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * A device's sync status for the page: per peer whether it is connected, records pending each
 * way, the last exchange; and "in sync" when every peer it knows is connected and holds the
 * same vector as this device.
 */
final class SyncStatus {

  private SyncStatus() {}

  static JsonObject of(NotesModel model, Connectivity links) {
    Replica replica = model.replica();
    VersionVector mine = replica.vector();
    Map<ReplicaId, String> names = model.deviceNames();
    JsonArray peers = new JsonArray();
    boolean inSync = true;
    int connected = 0;
    for (PeerStatus p : replica.peers().values()) {
      boolean same = p.connected() && p.vector().equals(mine);
      inSync &= same;
      connected += p.connected() ? 1 : 0;
      peers.add(new JsonObject()
          .put("id", p.peer().toString())
          .put("name", names.getOrDefault(p.peer(), p.peer().toString()))
          .put("connected", p.connected())
          .put("pendingOut", p.pendingOut())
          .put("pendingIn", p.pendingIn())
          .put("lastExchange", p.lastExchange() < 0 ? null : p.lastExchange())
          .put("inSync", same));
    }
    JsonObject vector = new JsonObject();
    mine.forEach((id, n) -> vector.put(names.getOrDefault(id, id.toString()), n));
    return new JsonObject()
        .put("device", model.name())
        .put("id", replica.id().toString())
        .put("online", links.online())
        .put("connected", connected)
        .put("inSync", inSync && connected > 0)
        .put("vector", vector)
        .put("peers", peers)
        .put("now", System.currentTimeMillis());
  }
}
