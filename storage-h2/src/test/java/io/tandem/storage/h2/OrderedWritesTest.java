package io.tandem.storage.h2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.h2.store.fs.FilePath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OrderedWrites} puts a sync between what H2 writes in one call, where a disk reordering
 * the sectors would leave H2 a chunk or a header that looks whole and is not: the operations
 * that reach the disk below are recorded and checked, and so are the bytes.
 */
class OrderedWritesTest {

  /** What reached the disk below, in order: "w position length" or "sync". */
  static final List<String> SEEN = new ArrayList<>();

  /** A disk that notes each operation and refuses none. */
  public static final class Recording extends InterposedFs {

    public Recording() {}

    @Override
    public String getScheme() {
      return "recording";
    }

    @Override
    Disk disk() {
      return new Disk() {
        @Override
        public void write(Path file, long position, ByteBuffer bytes) {
          SEEN.add("w " + position + " " + bytes.remaining());
        }

        @Override
        public void force(Path file) {
          SEEN.add("sync");
        }

        @Override
        public void truncate(Path file, long size) {
          SEEN.add("truncate " + size);
        }
      };
    }
  }

  static {
    FilePath.register(new Recording());
  }

  @TempDir
  Path tmp;

  @AfterEach
  void forget() {
    SEEN.clear();
  }

  private FileChannel open(Path file) throws IOException {
    return FilePath.get(OrderedWrites.via() + "recording:" + file).open("rw");
  }

  @Test
  void aChunksLastSectorIsWrittenOnlyAfterTheRestIsSynced() throws IOException {
    Path file = tmp.resolve("f");
    byte[] chunk = bytes(3 * 4096, 7);
    try (FileChannel ch = open(file)) {
      ByteBuffer src = ByteBuffer.wrap(chunk);
      assertThat(ch.write(src, 5 * 4096)).isEqualTo(chunk.length);
      assertThat(src.hasRemaining()).isFalse();
    }
    assertThat(SEEN).containsExactly("w 20480 11776", "sync", "w 32256 512");
    assertThat(Files.readAllBytes(file)).endsWith(chunk);
  }

  @Test
  void theStoreHeaderGoesAfterASyncAndOneCopyAtATime() throws IOException {
    Path file = tmp.resolve("f");
    byte[] header = bytes(2 * 4096, 3);
    try (FileChannel ch = open(file)) {
      assertThat(ch.write(ByteBuffer.wrap(header), 0)).isEqualTo(header.length);
    }
    assertThat(SEEN).containsExactly("sync", "w 0 4096", "sync", "w 4096 4096");
    assertThat(Files.readAllBytes(file)).isEqualTo(header);
  }

  @Test
  void smallWritesAndWritesAtTheChannelsPositionPassAsTheyAre() throws IOException {
    Path file = tmp.resolve("f");
    try (FileChannel ch = open(file)) {
      ch.write(ByteBuffer.wrap(bytes(16, 1)), 0);
      ch.position(100);
      ch.write(ByteBuffer.wrap(bytes(200, 2)));
      assertThat(ch.position()).isEqualTo(300);
      ch.force(false);
    }
    assertThat(SEEN).containsExactly("w 0 16", "w 100 200", "sync");
    assertThat(Files.size(file)).isEqualTo(300);
  }

  private static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31 + seed);
    }
    return b;
  }
}
