package io.tandem.transport.vertx;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pinned keys of the devices this device was paired with, and the keys it revoked, kept
 * next to the identity as {@value #FILE_NAME}. Trust is this set: a peer is trusted exactly when
 * its key's fingerprint is pinned and not revoked. A revoked key stays revoked for good; pinning
 * it again is refused, so an old pairing can never come back by accident.
 *
 * <p>Reads are lock-free on an immutable snapshot, so a TLS handshake always sees the set as of
 * its own moment and a revoke applies to every connection that starts after it returns. Each
 * change is written to disk (atomically) before it is published.
 */
public final class TrustedDevices {

  /** The file's name inside the data directory. */
  public static final String FILE_NAME = "trusted-devices";
  private static final String HEADER = "tandem-trusted-devices 1";
  private static final int MAX_FILE_BYTES = 4 << 20;
  private static final int MAX_ENTRIES = 10_000;
  private static final System.Logger LOG = System.getLogger(TrustedDevices.class.getName());

  private record State(Map<Fingerprint, PairedDevice> paired, Map<Fingerprint, Instant> revoked) {}

  private final Path file;
  private volatile State state;

  private TrustedDevices(Path file, State state) {
    this.file = file;
    this.state = state;
  }

  /**
   * Opens the set kept in {@code directory}, empty if there is no file yet.
   *
   * @throws IdentityException if the file exists but does not decode, or on I/O failure
   */
  public static TrustedDevices open(Path directory) throws IdentityException {
    Path file = directory.resolve(FILE_NAME);
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw corrupted(file, "it is larger than " + MAX_FILE_BYTES + " bytes", null);
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException absent) {
      return new TrustedDevices(file, new State(Map.of(), Map.of()));
    } catch (IOException e) {
      throw new IdentityException(IdentityException.Reason.IO, "cannot read " + file, e);
    }
    return new TrustedDevices(file, decode(file, bytes));
  }

  /** True when {@code peer} is pinned and not revoked. */
  public boolean isTrusted(Fingerprint peer) {
    State now = state;
    return now.paired.containsKey(peer) && !now.revoked.containsKey(peer);
  }

  public boolean isRevoked(Fingerprint peer) {
    return state.revoked.containsKey(peer);
  }

  /** The refusal for {@code peer}, or empty when it is trusted. */
  public Optional<Refusal.Reason> refusalFor(Fingerprint peer) {
    State now = state;
    if (now.revoked.containsKey(peer)) {
      return Optional.of(Refusal.Reason.REVOKED);
    }
    return now.paired.containsKey(peer) ? Optional.empty() : Optional.of(Refusal.Reason.UNPAIRED);
  }

  public Optional<PairedDevice> device(Fingerprint peer) {
    return Optional.ofNullable(state.paired.get(peer));
  }

  /** The paired devices that are not revoked, in pairing order. */
  public List<PairedDevice> devices() {
    State now = state;
    List<PairedDevice> trusted = new ArrayList<>();
    for (PairedDevice device : now.paired.values()) {
      if (!now.revoked.containsKey(device.fingerprint())) {
        trusted.add(device);
      }
    }
    return Collections.unmodifiableList(trusted);
  }

  /**
   * Pins a device's key. Pinning a pinned key again keeps the first pairing.
   *
   * @throws IllegalStateException if the key was revoked: a revoked key is never trusted again
   * @throws IdentityException if the change cannot be written; nothing changes then
   */
  public synchronized PairedDevice pin(PairedDevice device) throws IdentityException {
    State now = state;
    if (now.revoked.containsKey(device.fingerprint())) {
      throw new IllegalStateException("key " + device.fingerprint() + " was revoked and is never"
          + " trusted again; the device needs a new identity to pair");
    }
    PairedDevice kept = now.paired.get(device.fingerprint());
    if (kept != null) {
      return kept;
    }
    if (now.paired.size() + now.revoked.size() >= MAX_ENTRIES) {
      throw new IllegalStateException("at most " + MAX_ENTRIES + " devices are kept");
    }
    Map<Fingerprint, PairedDevice> paired = new LinkedHashMap<>(now.paired);
    paired.put(device.fingerprint(), device);
    publish(new State(Collections.unmodifiableMap(paired), now.revoked));
    LOG.log(System.Logger.Level.INFO, "pinned {0} ({1})", device.fingerprint().abbreviated(),
        device.name());
    return device;
  }

  /**
   * Revokes a key for good, paired or not. Connections that start after this returns are refused.
   *
   * @return false if it was already revoked
   * @throws IdentityException if the change cannot be written; nothing changes then
   */
  public synchronized boolean revoke(Fingerprint peer, Instant at) throws IdentityException {
    State now = state;
    if (now.revoked.containsKey(peer)) {
      return false;
    }
    if (now.paired.size() + now.revoked.size() >= MAX_ENTRIES && !now.paired.containsKey(peer)) {
      throw new IllegalStateException("at most " + MAX_ENTRIES + " devices are kept");
    }
    Map<Fingerprint, Instant> revoked = new LinkedHashMap<>(now.revoked);
    revoked.put(peer, at);
    publish(new State(now.paired, Collections.unmodifiableMap(revoked)));
    LOG.log(System.Logger.Level.INFO, "revoked {0}", peer.abbreviated());
    return true;
  }

  private void publish(State next) throws IdentityException {
    try {
      AtomicFiles.write(file, encode(next));
    } catch (IOException e) {
      throw new IdentityException(IdentityException.Reason.IO, "cannot write " + file, e);
    }
    state = next;
  }

  private static byte[] encode(State state) {
    StringBuilder out = new StringBuilder(HEADER).append('\n');
    Base64.Encoder names = Base64.getUrlEncoder().withoutPadding();
    for (PairedDevice device : state.paired.values()) {
      out.append("paired ").append(device.fingerprint().hex()).append(' ')
          .append(device.pairedAt().toEpochMilli()).append(' ')
          .append(names.encodeToString(device.name().getBytes(StandardCharsets.UTF_8)))
          .append('\n');
    }
    for (Map.Entry<Fingerprint, Instant> revoked : state.revoked.entrySet()) {
      out.append("revoked ").append(revoked.getKey().hex()).append(' ')
          .append(revoked.getValue().toEpochMilli()).append('\n');
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static State decode(Path file, byte[] bytes) throws IdentityException {
    String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
    if (lines.length < 2 || !HEADER.equals(lines[0]) || !lines[lines.length - 1].isEmpty()) {
      throw corrupted(file, "it lacks the header or the final newline", null);
    }
    Map<Fingerprint, PairedDevice> paired = new LinkedHashMap<>();
    Map<Fingerprint, Instant> revoked = new LinkedHashMap<>();
    for (int i = 1; i < lines.length - 1; i++) {
      if (i > MAX_ENTRIES) {
        throw corrupted(file, "it has more than " + MAX_ENTRIES + " entries", null);
      }
      String[] fields = lines[i].split(" ", -1);
      try {
        if (fields.length == 4 && fields[0].equals("paired")) {
          String name = new String(Base64.getUrlDecoder().decode(fields[3]),
              StandardCharsets.UTF_8);
          PairedDevice device = new PairedDevice(new Fingerprint(fields[1]), name,
              Instant.ofEpochMilli(Long.parseLong(fields[2])));
          if (paired.putIfAbsent(device.fingerprint(), device) != null) {
            throw corrupted(file, "line " + (i + 1) + " pins a key twice", null);
          }
        } else if (fields.length == 3 && fields[0].equals("revoked")) {
          revoked.put(new Fingerprint(fields[1]), Instant.ofEpochMilli(Long.parseLong(fields[2])));
        } else {
          throw corrupted(file, "line " + (i + 1) + " is neither 'paired' nor 'revoked'", null);
        }
      } catch (IllegalArgumentException | java.time.DateTimeException e) {
        throw corrupted(file, "line " + (i + 1) + " does not decode", e);
      }
    }
    return new State(Collections.unmodifiableMap(paired), Collections.unmodifiableMap(revoked));
  }

  private static IdentityException corrupted(Path file, String why, Throwable cause) {
    IdentityException e = new IdentityException(IdentityException.Reason.CORRUPTED,
        file + " is not a usable trust file: " + why + "; it was left untouched", cause);
    LOG.log(System.Logger.Level.ERROR, e.getMessage());
    return e;
  }
}
