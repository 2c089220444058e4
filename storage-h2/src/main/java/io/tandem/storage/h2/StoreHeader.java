package io.tandem.storage.h2;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.locks.ReentrantLock;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.Chunk;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.RandomAccessStore;

/**
 * Points H2's store header at the newest chunk after a sync, where H2 2.5.252 leaves it one
 * chunk behind.
 *
 * <p>On opening, H2 finds its newest chunk from the store header: the chunk it names, then each
 * chunk's predicted successor, or the chunk whose footer ends the file. A chunk written into
 * reused space, away from both, is found only through the header, and H2 writes the header for
 * it before it makes it its last chunk: the header names the chunk before. Until the next chunk
 * is written, a synced commit placed there is unreachable, and a power cut in that window loses
 * it (found by PowerCutTest: the file as synced reopened one commit older). So, in
 * {@link Durability#POWER_LOSS_SAFE}, after each sync the store checks the header and, if it
 * names an older chunk than the last while the last does not end the file, has H2 write it
 * again, and syncs once more.
 *
 * <p>This reaches inside H2 by reflection ({@code FileStore.lastChunk},
 * {@code RandomAccessStore.writeStoreHeader}), which the pinned version allows and
 * PowerCutTest keeps honest; should a later H2 lack them, opening a power-loss-safe store says
 * so at once instead of losing writes quietly.
 */
final class StoreHeader {

  /** H2's block size (FileStore.BLOCK_SIZE, not public). */
  private static final long BLOCK = 4096;
  private static final Field LAST_CHUNK;
  private static final Field SAVE_CHUNK_LOCK;
  private static final Method WRITE_STORE_HEADER;

  static {
    try {
      LAST_CHUNK = FileStore.class.getDeclaredField("lastChunk");
      LAST_CHUNK.setAccessible(true);
      SAVE_CHUNK_LOCK = FileStore.class.getDeclaredField("saveChunkLock");
      SAVE_CHUNK_LOCK.setAccessible(true);
      WRITE_STORE_HEADER = RandomAccessStore.class.getDeclaredMethod("writeStoreHeader");
      WRITE_STORE_HEADER.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new ExceptionInInitializerError("this H2 build lacks what POWER_LOSS_SAFE relies on"
          + " (FileStore.lastChunk, RandomAccessStore.writeStoreHeader): " + e);
    }
  }

  private StoreHeader() {}

  /**
   * Rewrites the store header of {@code conn}'s database if it names an older chunk than the last
   * one, which does not end the file; true if it did (the caller then syncs again).
   */
  static boolean catchUp(Connection conn) throws SQLException {
    FileStore<?> fs = fileStore(conn);
    if (!(fs instanceof RandomAccessStore)) {
      return false;
    }
    try {
      ReentrantLock lock = (ReentrantLock) SAVE_CHUNK_LOCK.get(fs);
      lock.lock();
      try {
        Chunk<?> last = (Chunk<?>) LAST_CHUNK.get(fs);
        if (last == null || headerChunk(fs) == last.id
            || (last.block + last.len) * BLOCK >= fs.size()) {
          return false;
        }
        WRITE_STORE_HEADER.invoke(fs);
        return true;
      } finally {
        lock.unlock();
      }
    } catch (ReflectiveOperationException e) {
      throw new SQLException("cannot write H2's store header: " + e, e);
    }
  }

  private static int headerChunk(FileStore<?> fs) {
    Object chunk = fs.getStoreHeader().get("chunk");
    if (chunk instanceof Number n) {
      return n.intValue();
    }
    return chunk == null ? -1 : Integer.parseInt(chunk.toString(), 16);
  }

  private static FileStore<?> fileStore(Connection conn) throws SQLException {
    JdbcConnection jdbc = conn.unwrap(JdbcConnection.class);
    SessionLocal session = (SessionLocal) jdbc.getSession();
    return session.getDatabase().getStore().getMvStore().getFileStore();
  }
}
