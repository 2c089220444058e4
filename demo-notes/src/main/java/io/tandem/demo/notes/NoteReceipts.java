package io.tandem.demo.notes;

import io.tandem.crdt.Dot;
import io.tandem.crdt.ReplicaId;
import io.tandem.replication.Change;
import io.tandem.replication.ChangeListener;
import io.tandem.replication.Replica;
import io.tandem.replication.Write;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Per note, the latest write that changed it, made here or elsewhere, and where that write is
 * safe: "on PC ✓, on tablet …" from the replica's delivery receipts ({@link Replica#write}).
 *
 * <p>Listeners hear of deltas after a whole batch is applied, so a batch that changed several
 * notes credits them all to the delta heard first; its receipt can then run ahead of the
 * note's last delta by the rest of that batch. Knowledge of writes starts when the device does.
 */
final class NoteReceipts implements ChangeListener {

  private final Replica replica;
  private final Documents notes;
  private final Map<String, JsonObject> seen = new HashMap<>();
  private final Map<String, Dot> last = new HashMap<>();

  NoteReceipts(Replica replica, Documents notes) {
    this.replica = replica;
    this.notes = notes;
    synchronized (this) {
      notes.list().forEach(n -> seen.put(n.getString("id"), n));
    }
  }

  /** A local write to note {@code id}; null when it changed nothing. */
  synchronized void wrote(String id, Write w) {
    if (w != null && w.dot() != null) {
      last.put(id, w.dot());
    }
    notes.list().forEach(n -> seen.put(n.getString("id"), n));
  }

  @Override
  public synchronized void changed(Change c) {
    if (c.local() || !c.object().equals(NotesModel.NOTES)) {
      return;
    }
    Dot dot = new Dot(c.origin(), c.seq());
    for (JsonObject n : notes.list()) {
      String id = n.getString("id");
      if (!n.equals(seen.put(id, n))) {
        last.put(id, dot);
      }
    }
  }

  /**
   * Where the latest write to note {@code id} is, per other device: {@code [{"device": "PC",
   * "has": true}, …]}, or null if this device has not seen a write to it since it started.
   */
  synchronized JsonArray receipt(String id, Map<ReplicaId, String> devices) {
    Dot dot = last.get(id);
    if (dot == null) {
      return null;
    }
    Set<ReplicaId> holders = replica.write(dot).acknowledgedBy();
    JsonArray out = new JsonArray();
    devices.forEach((device, name) -> {
      if (!device.equals(replica.id())) {
        out.add(new JsonObject().put("device", name)
            .put("has", holders.contains(device) || dot.replica().equals(device)));
      }
    });
    return out;
  }
}
