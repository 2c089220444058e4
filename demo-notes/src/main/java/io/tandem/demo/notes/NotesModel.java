package io.tandem.demo.notes;

import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.OrMap;
import io.tandem.crdt.ReplicaId;
import io.tandem.replication.Replica;
import io.tandem.replication.Write;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The app's data on one device: notes, contacts, and messages to contacts that go from draft to
 * sent, plus the names of the person's devices, all replicated objects of one {@link Replica}.
 * Every method checks its input whole before it writes, so a refused request changes nothing.
 */
final class NotesModel {

  static final String NOTES = "notes";
  static final String CONTACTS = "contacts";
  static final String MESSAGES = "messages";
  static final String DEVICES = "devices";
  static final String DRAFT = "draft";
  static final String SENT = "sent";

  private final Replica replica;
  private final String name;
  final Documents notes;
  final Documents contacts;
  final Documents messages;
  private final NoteReceipts receipts;

  NotesModel(Replica replica, String name) {
    this.replica = replica;
    this.name = name;
    this.notes = new Documents(replica, NOTES, Schema.NOTE);
    this.contacts = new Documents(replica, CONTACTS, Schema.CONTACT);
    this.messages = new Documents(replica, MESSAGES, Schema.MESSAGE);
    this.receipts = new NoteReceipts(replica, notes);
    replica.addListener(receipts);
    // Every device writes its own name, so the others can say "on PC ✓" rather than an id.
    if (!name.equals(deviceNames().get(replica.id()))) {
      replica.update(DEVICES, OrMap.<String, LwwRegister<String>>empty(), (m, w) ->
          m.update(w.replica(), w.replica().toString(), LwwRegister.<String>empty(),
              r -> r.assign(w.hlc(), name)));
    }
  }

  String name() {
    return name;
  }

  Replica replica() {
    return replica;
  }

  /** The person's devices this one has heard of, by replica id, in id order. */
  Map<ReplicaId, String> deviceNames() {
    Map<ReplicaId, String> out = new java.util.TreeMap<>();
    replica.get(DEVICES, OrMap.<String, LwwRegister<String>>empty()).forEach((id, n) -> {
      try {
        out.put(ReplicaId.parse(id), n.value());
      } catch (IllegalArgumentException e) {
        // Another build's key: not a device we can name.
      }
    });
    return out;
  }

  // --- notes ---

  String createNote(JsonObject input) {
    Map<String, Object> values = notes.schema().check(input, true);
    String id = Documents.newId();
    receipts.wrote(id, notes.create(id, values));
    return id;
  }

  void patchNote(String id, JsonObject input) {
    notes.get(id);
    Map<String, Object> values = notes.schema().check(input, false);
    receipts.wrote(id, notes.patch(id, values));
  }

  void deleteNote(String id) {
    receipts.wrote(id, notes.delete(id));
  }

  JsonObject note(String id) {
    JsonObject n = notes.toJson(id, notes.get(id));
    return n.put("receipt", receipts.receipt(id, deviceNames()));
  }

  /** Pinned notes first, then newest first. */
  JsonArray noteList() {
    Map<ReplicaId, String> devices = deviceNames();
    List<JsonObject> all = notes.list();
    all.sort((a, b) -> Boolean.compare(b.getBoolean("pinned"), a.getBoolean("pinned")));
    JsonArray out = new JsonArray();
    for (JsonObject n : all) {
      out.add(n.put("receipt", receipts.receipt(n.getString("id"), devices)));
    }
    return out;
  }

  // --- contacts ---

  String createContact(JsonObject input) {
    Map<String, Object> values = contacts.schema().check(input, true);
    String id = Documents.newId();
    contacts.create(id, values);
    return id;
  }

  void patchContact(String id, JsonObject input) {
    contacts.get(id);
    contacts.patch(id, contacts.schema().check(input, false));
  }

  void deleteContact(String id) {
    contacts.delete(id);
  }

  // --- messages ---

  /** A new draft to an existing contact. */
  String createMessage(JsonObject input) {
    Map<String, Object> values = messages.schema().check(input, true);
    checkRecipient(values);
    String id = Documents.newId();
    Map<String, Object> withStatus = new LinkedHashMap<>(values);
    withStatus.put("status", DRAFT);
    messages.write(id, withStatus); // one write: never a message without its status
    return id;
  }

  /** Edits a draft; a sent message is final (409). */
  void patchMessage(String id, JsonObject input) {
    checkDraft(id);
    Map<String, Object> values = messages.schema().check(input, false);
    checkRecipient(values);
    messages.write(id, values);
  }

  void sendMessage(String id) {
    checkDraft(id);
    messages.write(id, Map.of("status", SENT));
  }

  private void checkDraft(String id) {
    if (!DRAFT.equals(messages.toJson(id, messages.get(id)).getString("status"))) {
      throw new ApiException(409, "message " + id + " was sent; only drafts change");
    }
  }

  private void checkRecipient(Map<String, Object> values) {
    Object to = values.get("to");
    if (to != null && !contacts.exists((String) to)) {
      throw ApiException.notFound("contact", (String) to);
    }
  }

  /** Messages with their recipient's name, newest first. */
  JsonArray messageList() {
    JsonArray out = new JsonArray();
    for (JsonObject m : messages.list()) {
      out.add(withRecipient(m));
    }
    return out;
  }

  JsonObject message(String id) {
    return withRecipient(messages.toJson(id, messages.get(id)));
  }

  private JsonObject withRecipient(JsonObject m) {
    String to = m.getString("to");
    String toName = contacts.exists(to)
        ? contacts.toJson(to, contacts.get(to)).getString("name") : null;
    return m.put("toName", toName);
  }

  JsonArray contactList() {
    return new JsonArray(contacts.list());
  }
}
