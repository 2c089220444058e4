package io.tandem.replication.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.tandem.crdt.Crdt;
import io.tandem.crdt.GCounter;
import io.tandem.crdt.Hlc;
import io.tandem.crdt.LwwRegister;
import io.tandem.crdt.OrSet;
import io.tandem.crdt.ReplicaId;
import io.tandem.crdt.VersionVector;
import io.tandem.crdt.codec.BinaryCodec;
import io.tandem.replication.Replica;
import io.tandem.replication.log.DeltaRecord;
import io.tandem.replication.memory.InMemoryReplicaStore;
import io.tandem.replication.protocol.Message;
import io.tandem.replication.protocol.MessageCodec;
import io.tandem.replication.protocol.ProtocolException;
import io.tandem.replication.protocol.ProtocolException.Reason;
import io.tandem.replication.protocol.ProtocolLimits;
import io.tandem.replication.sim.SimulatedNetwork;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sync by a file carried between devices: what one replica exports for another's vector brings
 * the other level with it, through the same checks and causal order as a live session, and a
 * damaged file is refused whole and changes nothing.
 */
class BundleTransportTest {

  private static final ProtocolLimits LIMITS = ProtocolLimits.DEFAULT;
  private static final int MAGIC = 0x544e4442; // "TNDB"

  /** The objects the tests write, each with the empty value of its type. */
  private static final Map<String, Crdt<?>> OBJECTS = Map.of(
      "likes", GCounter.empty(),
      "tags", OrSet.empty(),
      "title", LwwRegister.empty(),
      "contact", LwwRegister.empty(),
      "draft", LwwRegister.empty(),
      "fresh", GCounter.empty());

  @TempDir
  Path dir;

  private final SimulatedNetwork net = new SimulatedNetwork(7);
  private final List<Replica> replicas = new ArrayList<>();
  private final Map<Replica, InMemoryReplicaStore> stores = new HashMap<>();

  @AfterEach
  void closeReplicas() {
    replicas.forEach(Replica::close);
  }

  // ---- export and import ----

  @Test
  void importOfAnExportMakesTheReceiverEqualToTheSender() throws Exception {
    Replica a = replica(0xa);
    Replica b = replica(0xb);
    writeSome(a, 12);

    Path file = dir.resolve("a-for-b.tndb");
    BundleTransport.export(a, b.vector(), file);
    int applied = BundleTransport.importFile(b, file, LIMITS);

    assertThat(applied).isEqualTo(12);
    assertThat(b.vector()).isEqualTo(a.vector());
    assertThat(state(b)).isEqualTo(state(a));
  }

  @Test
  void exportCarriesOnlyWhatThePeerLacks() throws Exception {
    Replica a = replica(0xa);
    Replica b = replica(0xb);
    writeSome(a, 5);
    Path first = dir.resolve("first.tndb");
    BundleTransport.export(a, b.vector(), first);
    BundleTransport.importFile(b, first, LIMITS);
    writeSome(a, 3);
    writeSome(b, 2);

    Path second = dir.resolve("second.tndb");
    BundleTransport.export(a, b.vector(), second);

    List<DeltaRecord> carried = records(second);
    assertThat(carried).extracting(DeltaRecord::seq).containsExactly(6L, 7L, 8L);
    assertThat(BundleTransport.importFile(b, second, LIMITS)).isEqualTo(3);
    assertThat(b.vector()).isEqualTo(a.vector().merge(b.vector()));
    assertThat(b.vector().get(a.id())).isEqualTo(8);
  }

  @Test
  void reImportChangesNothing() throws Exception {
    Replica a = replica(0xa);
    Replica b = replica(0xb);
    writeSome(a, 6);
    Path file = dir.resolve("bundle.tndb");
    BundleTransport.export(a, b.vector(), file);
    BundleTransport.importFile(b, file, LIMITS);
    Snapshot before = snapshot(b);

    int applied = BundleTransport.importFile(b, file, LIMITS);

    assertThat(applied).isZero();
    assertThat(snapshot(b)).isEqualTo(before);
  }

  @Test
  void bundleForAVectorThatHasEverythingHoldsOnlyTheHello() throws Exception {
    Replica a = replica(0xa);
    Replica b = replica(0xb);
    writeSome(a, 4);
    Path full = dir.resolve("full.tndb");
    BundleTransport.export(a, b.vector(), full);
    BundleTransport.importFile(b, full, LIMITS);

    Path empty = dir.resolve("nothing-new.tndb");
    int frames = BundleTransport.export(a, b.vector(), empty);

    assertThat(frames).isEqualTo(1);
    List<ByteBuffer> read = BundleTransport.read(Files.readAllBytes(empty), LIMITS);
    assertThat(read).hasSize(1);
    assertThat(MessageCodec.kindOf(read.get(0))).isEqualTo("hello");
    assertThat(MessageCodec.decode(read.get(0), LIMITS)).isInstanceOfSatisfying(
        Message.Hello.class, h -> assertThat(h.replica()).isEqualTo(a.id()));
    Snapshot before = snapshot(b);
    assertThat(BundleTransport.importFile(b, empty, LIMITS)).isZero();
    assertThat(snapshot(b)).isEqualTo(before);
  }

  // ---- damaged files ----

  @Test
  void anyBitFlipIsRefusedAndChangesNothing() throws Exception {
    Replica a = replica(0xa);
    Replica b = replica(0xb);
    writeSome(b, 2); // B holds something of its own, which must stay as it is
    writeSome(a, 5);
    byte[] valid = exported(a, b.vector());
    Snapshot before = snapshot(b);

    for (int i = 0; i < valid.length; i++) {
      for (int bit : new int[] {0, 3, 7}) {
        byte[] flipped = valid.clone();
        flipped[i] ^= (byte) (1 << bit);
        // A flip may read as damage, a truncation or a future version: refused, whatever why.
        assertThat(refusal(b, flipped)).as("bit %d of byte %d", bit, i).isNotNull();
      }
    }
    assertThat(snapshot(b)).isEqualTo(before);
  }

  @Test
  void truncatedBundleIsRefusedAsTruncatedAndChangesNothing() throws Exception {
    Replica a = replica(0xa);
    Replica b = replica(0xb);
    writeSome(a, 5);
    byte[] valid = exported(a, b.vector());
    Snapshot before = snapshot(b);

    List<String> wrong = new ArrayList<>();
    for (int len = 0; len < valid.length; len++) {
      Reason r = refusal(b, Arrays.copyOf(valid, len));
      assertThat(r).as("prefix of %d of %d bytes", len, valid.length).isNotNull();
      if (r != Reason.TRUNCATED) {
        wrong.add(len + ": " + r);
      }
    }
    assertThat(snapshot(b)).isEqualTo(before);
    assertThat(wrong).as("prefixes of a %d-byte bundle refused for another reason than"
        + " TRUNCATED", valid.length).isEmpty();
  }

  @Test
  void wrongMagicIsMalformedAndChangesNothing() throws Exception {
    Replica a = replica(0xa);
    Replica b = replica(0xb);
    writeSome(a, 3);
    List<ByteBuffer> frames = a.exportBundle(b.vector());
    Snapshot before = snapshot(b);

    assertThat(refusal(b, pack(0x504b0304, 1, frames))).isEqualTo(Reason.MALFORMED); // a zip
    byte[] unsealed = pack(MAGIC, 1, frames);
    unsealed[3] = 'X'; // the checksum no longer matches either
    assertThat(refusal(b, unsealed)).isEqualTo(Reason.MALFORMED);
    assertThat(snapshot(b)).isEqualTo(before);
  }

  @Test
  void versionTwoIsUnsupportedAndChangesNothing() throws Exception {
    Replica a = replica(0xa);
    Replica b = replica(0xb);
    writeSome(a, 3);
    List<ByteBuffer> frames = a.exportBundle(b.vector());
    Snapshot before = snapshot(b);

    assertThat(refusal(b, pack(MAGIC, 2, frames))).isEqualTo(Reason.UNSUPPORTED_VERSION);
    assertThat(refusal(b, pack(MAGIC, 255, frames))).isEqualTo(Reason.UNSUPPORTED_VERSION);
    assertThat(snapshot(b)).isEqualTo(before);
  }

  /**
   * A later version may change more than the frames, the checksum included: the version is read
   * before anything it governs, so an app that meets a newer bundle says "update me", not
   * "damaged file".
   */
  @Test
  void versionTwoWithAnotherTrailerIsStillUnsupported() throws Exception {
    Replica b = replica(0xb);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(MAGIC);
    out.writeByte(2);
    out.write(new byte[40]); // whatever version 2 holds, a 32-byte digest at the end, say
    out.flush();
    Snapshot before = snapshot(b);

    assertThat(refusal(b, bytes.toByteArray())).isEqualTo(Reason.UNSUPPORTED_VERSION);
    assertThat(snapshot(b)).isEqualTo(before);
  }

  @Test
  void wellSealedBundleWithOneBadFrameIsRefusedWhole() throws Exception {
    Replica a = replica(0xa);
    Replica b = replica(0xb);
    writeSome(a, 4);
    List<ByteBuffer> frames = new ArrayList<>(a.exportBundle(b.vector()));
    Snapshot before = snapshot(b);

    List<ByteBuffer> garbageLast = new ArrayList<>(frames);
    garbageLast.add(ByteBuffer.wrap(new byte[] {42, 0, 1}));
    assertThat(refusal(b, pack(MAGIC, 1, garbageLast))).isEqualTo(Reason.UNKNOWN_TYPE);

    List<ByteBuffer> notACrdt = new ArrayList<>(frames);
    DeltaRecord last = records(frames).get(3);
    notACrdt.add(MessageCodec.encode(new Message.Deltas(List.of(new DeltaRecord(last.origin(),
        last.seq() + 1, VersionVector.empty(), last.hlc(), "likes", new byte[] {1, 2, 3})))));
    assertThat(refusal(b, pack(MAGIC, 1, notACrdt))).isEqualTo(Reason.VIOLATION);

    List<ByteBuffer> noHello = new ArrayList<>(frames.subList(1, frames.size()));
    assertThat(refusal(b, pack(MAGIC, 1, noHello))).isEqualTo(Reason.VIOLATION);

    assertThat(snapshot(b)).as("the good frames before the bad one were not applied either")
        .isEqualTo(before);
  }

  /**
   * "A bad frame refuses all of it": that holds for frames that break the protocol only in
   * context too, such as a record of the importer's own feed after good records.
   */
  @Test
  void bundleThatBreaksTheProtocolMidwayIsRefusedWhole() throws Exception {
    Replica a = replica(0xa);
    Replica b = replica(0xb);
    writeSome(b, 1);
    writeSome(a, 3);
    List<ByteBuffer> frames = new ArrayList<>(a.exportBundle(b.vector()));
    frames.add(MessageCodec.encode(new Message.Deltas(List.of(new DeltaRecord(b.id(), 5,
        VersionVector.empty(), new Hlc(1, 0, b.id()), "likes",
        BinaryCodec.encode(GCounter.empty().increment(b.id(), 100)))))));
    Snapshot before = snapshot(b);

    Reason refused = refusal(b, pack(MAGIC, 1, frames));

    assertThat(snapshot(b)).as("B after the import").isEqualTo(before);
    assertThat(refused).isEqualTo(Reason.VIOLATION);
  }

  @Test
  void bundleWhoseFramesGiveAnObjectTwoTypesIsRefusedWhole() throws Exception {
    Replica b = replica(0xb);
    ReplicaId author = ReplicaId.of(0xa);
    List<ByteBuffer> frames = List.of(
        MessageCodec.encode(new Message.Hello(Message.VERSION, author, false, true)),
        MessageCodec.encode(new Message.Deltas(List.of(new DeltaRecord(author, 1,
            VersionVector.empty(), new Hlc(1, 0, author), "fresh",
            BinaryCodec.encode(GCounter.empty().increment(author, 1)))))),
        MessageCodec.encode(new Message.Deltas(List.of(new DeltaRecord(author, 2,
            VersionVector.empty(), new Hlc(2, 0, author), "fresh",
            BinaryCodec.encode(OrSet.<String>empty().add(author, "x")))))));
    Snapshot before = snapshot(b);

    Reason refused = refusal(b, pack(MAGIC, 1, frames));

    assertThat(snapshot(b)).as("B after the import").isEqualTo(before);
    assertThat(refused).isEqualTo(Reason.VIOLATION);
  }

  @Test
  void bundleWhoseHelloSpeaksAnotherProtocolVersionIsRefused() throws Exception {
    Replica a = replica(0xa);
    Replica b = replica(0xb);
    writeSome(a, 3);
    List<ByteBuffer> frames = new ArrayList<>(a.exportBundle(b.vector()));
    frames.set(0, MessageCodec.encode(new Message.Hello(Message.VERSION + 1, a.id(), false,
        true)));
    Snapshot before = snapshot(b);

    assertThat(refusal(b, pack(MAGIC, 1, frames))).isEqualTo(Reason.UNSUPPORTED_VERSION);
    assertThat(snapshot(b)).isEqualTo(before);
  }

  /**
   * A file too large to be a bundle is refused by its size, before it is read: reading it whole
   * would exhaust the heap (or, past 2 GiB, throw OutOfMemoryError at once).
   */
  @Test
  void fileTooLargeToBeABundleIsRefusedBeforeReading() throws Exception {
    Replica b = replica(0xb);
    Path huge = dir.resolve("huge.tndb");
    try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
      f.setLength(3L << 30); // sparse: no disk is used
    }
    Snapshot before = snapshot(b);

    Throwable t = catchThrowable(() -> BundleTransport.importFile(b, huge, LIMITS));

    assertThat(t).isInstanceOfSatisfying(ProtocolException.class,
        e -> assertThat(e.reason()).isEqualTo(Reason.LIMIT_EXCEEDED));
    assertThat(snapshot(b)).isEqualTo(before);
  }

  // ---- causality ----

  /**
   * The contact is written on A, the draft to it on C after C got A's bundle. B gets C's bundle
   * first: the draft must wait, unseen, until the contact arrives (ygo#11), then both apply.
   */
  @Test
  void deltasThatDependOnAnUnseenBundleWaitUntilItArrives() throws Exception {
    Replica a = replica(0xa);
    Replica b = replica(0xb);
    Replica c = replica(0xc);
    a.update("contact", LwwRegister.<String>empty(), (r, w) -> r.assign(w.hlc(), "Ada"));
    a.update("contact", LwwRegister.<String>empty(), (r, w) -> r.assign(w.hlc(), "Ada L."));
    Path aForC = dir.resolve("a-for-c.tndb");
    BundleTransport.export(a, c.vector(), aForC);
    BundleTransport.importFile(c, aForC, LIMITS);
    c.update("draft", LwwRegister.<String>empty(), (r, w) -> r.assign(w.hlc(), "Dear Ada"));
    c.update("likes", GCounter.empty(), (g, w) -> g.increment(w.replica(), 3));

    Path cOnly = dir.resolve("c-for-b.tndb");
    BundleTransport.export(c, a.vector(), cOnly); // what B lacks once it has A's, so only C's
    assertThat(records(cOnly)).extracting(DeltaRecord::origin).containsOnly(c.id());
    Path aForB = dir.resolve("a-for-b.tndb");
    BundleTransport.export(a, b.vector(), aForB);
    Snapshot before = snapshot(b);

    assertThat(BundleTransport.importFile(b, cOnly, LIMITS)).isZero();
    assertThat(snapshot(b)).as("the draft without its contact").isEqualTo(before);
    assertThat(b.objects()).doesNotContain("draft");
    assertThat(b.metrics().bufferedDeltas()).isEqualTo(2);

    assertThat(BundleTransport.importFile(b, aForB, LIMITS)).isEqualTo(4);
    assertThat(b.vector()).isEqualTo(c.vector());
    assertThat(state(b)).isEqualTo(state(c));
    assertThat(b.metrics().bufferedDeltas()).isZero();
  }

  // ---- helpers ----

  /** What a test compares before and after: vector, encoded objects and stored feeds. */
  record Snapshot(VersionVector vector, Map<String, String> objects,
      Map<ReplicaId, List<DeltaRecord>> feeds) {}

  private Snapshot snapshot(Replica r) {
    InMemoryReplicaStore store = stores.get(r);
    Map<ReplicaId, List<DeltaRecord>> feeds = new TreeMap<>();
    r.vector().forEach((origin, n) -> feeds.put(origin, store.readFeed(origin, 1,
        Integer.MAX_VALUE)));
    return new Snapshot(r.vector(), state(r), feeds);
  }

  /** Every object, encoded, by name. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Map<String, String> state(Replica r) {
    Map<String, String> out = new TreeMap<>();
    for (String name : r.objects()) {
      Crdt value = r.get(name, (Crdt) OBJECTS.get(name));
      out.put(name, HexFormat.of().formatHex(BinaryCodec.encode(value)));
    }
    return out;
  }

  private Replica replica(long id) {
    InMemoryReplicaStore store = new InMemoryReplicaStore();
    Replica r = Replica.builder().id(ReplicaId.of(id)).store(store).clock(net.clock())
        .scheduler(net.scheduler()).build();
    replicas.add(r);
    stores.put(r, store);
    return r;
  }

  private static void writeSome(Replica r, int n) {
    for (int i = 0; i < n; i++) {
      switch (i % 3) {
        case 0 -> r.update("likes", GCounter.empty(), (g, w) -> g.increment(w.replica(), 1));
        case 1 -> r.update("tags", OrSet.<String>empty(),
            (s, w) -> s.add(w.replica(), "tag " + w.hlc()));
        default -> r.update("title", LwwRegister.<String>empty(),
            (t, w) -> t.assign(w.hlc(), "Groceries ✓ " + w.hlc()));
      }
    }
  }

  private byte[] exported(Replica from, VersionVector peerHas) throws IOException {
    Path file = Files.createTempFile(dir, "bundle", ".tndb");
    BundleTransport.export(from, peerHas, file);
    return Files.readAllBytes(file);
  }

  /** Imports {@code bytes} as a file: the reason it was refused, or null if it was taken. */
  private Reason refusal(Replica into, byte[] bytes) throws IOException {
    Path file = Files.createTempFile(dir, "damaged", ".tndb");
    Files.write(file, bytes);
    Throwable t = catchThrowable(() -> BundleTransport.importFile(into, file, LIMITS));
    if (t == null) {
      return null;
    }
    assertThat(t).as("importing %s", HexFormat.of().formatHex(bytes))
        .isInstanceOf(ProtocolException.class);
    return ((ProtocolException) t).reason();
  }

  /** A bundle as the format describes it, with its checksum computed over what comes first. */
  private static byte[] pack(int magic, int version, List<ByteBuffer> frames)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(magic);
    out.writeByte(version);
    out.writeInt(frames.size());
    for (ByteBuffer f : frames) {
      byte[] b = new byte[f.remaining()];
      f.duplicate().get(b);
      out.writeInt(b.length);
      out.write(b);
    }
    out.flush();
    CRC32 crc = new CRC32();
    crc.update(bytes.toByteArray());
    out.writeInt((int) crc.getValue());
    return bytes.toByteArray();
  }

  private static List<DeltaRecord> records(Path bundle) throws IOException, ProtocolException {
    return records(BundleTransport.read(Files.readAllBytes(bundle), LIMITS));
  }

  private static List<DeltaRecord> records(List<ByteBuffer> frames) throws ProtocolException {
    List<DeltaRecord> out = new ArrayList<>();
    for (ByteBuffer f : frames) {
      if (MessageCodec.decode(f, LIMITS) instanceof Message.Deltas d) {
        out.addAll(d.records());
      }
    }
    return out;
  }
}
