package io.tandem.demo.notes;

import io.tandem.crdt.ReplicaId;
import io.tandem.replication.EphemeralListener;
import io.tandem.replication.Replica;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * "Typing…" between devices, on the replica's ephemeral channel: this device tells the devices
 * connected now which note it is editing; what another device says is shown for
 * {@value #SHOWN_MILLIS} ms after it last said it, and never stored anywhere. A device offline
 * when someone types never sees it, which is right: it was news only then.
 */
final class Presence implements EphemeralListener {

  private static final System.Logger LOG = System.getLogger(Presence.class.getName());

  static final String TOPIC = "typing";
  /** How long a device shows another as typing after it last said so. */
  static final long SHOWN_MILLIS = 3_000;
  private static final int MAX_TEXT = 200;

  /** What a device said it is doing, and when this device heard it. */
  private record Typing(String device, String note, long heardAt) {}

  private final Replica replica;
  private final String device;
  private final LongSupplier clock;
  private final Runnable changed;
  private final Map<ReplicaId, Typing> typing = new ConcurrentHashMap<>();

  /** @param changed told when another device starts or goes on typing, to refresh the pages */
  Presence(Replica replica, String device, LongSupplier clock, Runnable changed) {
    this.replica = replica;
    this.device = device;
    this.clock = clock;
    this.changed = changed;
  }

  /**
   * Tells the devices connected now that this one is typing in note {@code noteId}.
   *
   * @return how many devices it reached
   */
  int typing(String noteId) {
    if (noteId.isEmpty() || noteId.length() > MAX_TEXT) {
      throw ApiException.badRequest("'note' must be a note's id");
    }
    JsonObject said = new JsonObject().put("device", device).put("note", noteId);
    return replica.publish(TOPIC, said.encode().getBytes(StandardCharsets.UTF_8));
  }

  /** Who is typing where, as this device last heard, within {@link #SHOWN_MILLIS}. */
  JsonArray now() {
    long now = clock.getAsLong();
    JsonArray out = new JsonArray();
    typing.values().stream().filter(t -> now - t.heardAt() < SHOWN_MILLIS)
        .sorted(java.util.Comparator.comparing(Typing::device))
        .forEach(t -> out.add(new JsonObject().put("device", t.device()).put("note", t.note())));
    return out;
  }

  @Override
  public void received(ReplicaId origin, String topic, byte[] payload) {
    if (!TOPIC.equals(topic)) {
      return;
    }
    try {
      Object v = io.vertx.core.json.Json.decodeValue(new String(payload,
          StandardCharsets.UTF_8));
      if (v instanceof JsonObject o && o.getValue("device") instanceof String d
          && o.getValue("note") instanceof String n && d.length() <= MAX_TEXT
          && n.length() <= MAX_TEXT) {
        typing.put(origin, new Typing(d, n, clock.getAsLong()));
        changed.run();
        return;
      }
    } catch (DecodeException e) {
      // falls through: a peer's bad presence is ignored, it changes nothing
    }
    LOG.log(Level.DEBUG, "ignored a typing message from {0} that is not one", origin);
  }
}
