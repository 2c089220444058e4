package io.tandem.storage.h2;

import io.tandem.replication.spi.StoreException;
import java.sql.SQLException;
import java.util.Set;
import java.util.regex.Pattern;
import org.h2.api.ErrorCode;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStoreException;

/** Turns H2's errors into the store's: locked, damaged, or another failure to do the work. */
final class Errors {

  /** SQL error codes that mean the file cannot be read as what it claims to be. */
  private static final Set<Integer> DAMAGE = Set.of(ErrorCode.FILE_CORRUPTED_1,
      ErrorCode.FILE_VERSION_ERROR_1);

  /** MVStore error codes, found among the causes or in the text of a general error. */
  private static final Set<Integer> MV_DAMAGE = Set.of(DataUtils.ERROR_READING_FAILED,
      DataUtils.ERROR_UNSUPPORTED_FORMAT, DataUtils.ERROR_FILE_CORRUPT,
      DataUtils.ERROR_CHUNK_NOT_FOUND, DataUtils.ERROR_BLOCK_NOT_FOUND,
      DataUtils.ERROR_UNKNOWN_DATA_TYPE, DataUtils.ERROR_SERIALIZATION);

  /** H2 appends {@code [version/code]} to an MVStore message it wraps as a general error. */
  private static final Pattern MV_CODE = Pattern.compile("MVStoreException.*\\[[0-9.]+/(\\d+)]",
      Pattern.DOTALL);

  private Errors() {}

  /** Failures of opening that say nothing about the file's contents. */
  private static final Set<Integer> NOT_DAMAGE = Set.of(ErrorCode.OUT_OF_MEMORY,
      ErrorCode.DATABASE_IS_CLOSED, ErrorCode.DATABASE_IS_IN_EXCLUSIVE_MODE,
      ErrorCode.WRONG_USER_OR_PASSWORD, ErrorCode.DATABASE_NOT_FOUND_1,
      ErrorCode.DATABASE_NOT_FOUND_WITH_IF_EXISTS_1);

  /**
   * What {@code e}, met while opening {@code store}, means: the store's statements are fixed, so
   * once the file is there and not locked, H2 failing to read its own catalog or rows (a data
   * conversion error in a stored table definition, say) is damage, unless it is an input/output
   * failure of the disk itself or one of {@link #NOT_DAMAGE}.
   */
  static StoreException mapOpening(String store, SQLException e) {
    StoreException mapped = map(store, "opening", e);
    int code = e.getErrorCode();
    if (mapped.getClass() != StoreException.class || NOT_DAMAGE.contains(code)
        || code == ErrorCode.IO_EXCEPTION_1 || code == ErrorCode.IO_EXCEPTION_2
        || mvCode(e) == DataUtils.ERROR_WRITING_FAILED) {
      return mapped;
    }
    return new StoreCorruptedException("store " + store + " is damaged (opening: H2 " + code
        + ", " + firstLine(e) + "); move it aside with H2ReplicaStore.quarantine and recover "
        + "from a trusted device", e);
  }

  /**
   * Whether {@code e} is H2 failing inside itself on what it read (an {@code assert} of its
   * own, when assertions are on, or a recursion through a looping page tree) rather than a
   * fault of this process: thrown from an {@code org.h2} frame, it says the file is damaged.
   */
  static boolean isH2ReadFailure(Error e) {
    if (!(e instanceof AssertionError) && !(e instanceof StackOverflowError)) {
      return false;
    }
    StackTraceElement[] trace = e.getStackTrace();
    return trace.length > 0 && trace[0].getClassName().startsWith("org.h2.");
  }

  /** The typed error for {@link #isH2ReadFailure} while {@code doing} on {@code store}. */
  static StoreCorruptedException h2ReadFailure(String store, String doing, Error e) {
    return new StoreCorruptedException("store " + store + " is damaged (" + doing + ": H2 failed"
        + " reading it: " + e + "); move it aside with H2ReplicaStore.quarantine and recover"
        + " from a trusted device", e);
  }

  /** What {@code e}, met while {@code doing} on {@code store}, means to a caller. */
  static StoreException map(String store, String doing, SQLException e) {
    int code = e.getErrorCode();
    if (code == ErrorCode.DATABASE_ALREADY_OPEN_1 || mvCode(e) == DataUtils.ERROR_FILE_LOCKED) {
      return new StoreLockedException("store " + store + " is in use by another process (H2 "
          + code + "); one process owns a store at a time", e);
    }
    if (DAMAGE.contains(code) || MV_DAMAGE.contains(mvCode(e))) {
      return new StoreCorruptedException("store " + store + " is damaged (" + doing + ": H2 "
          + code + ", " + firstLine(e) + "); move it aside with H2ReplicaStore.quarantine and "
          + "recover from a trusted device", e);
    }
    return new StoreException("store " + store + " failed " + doing + ": " + firstLine(e), e);
  }

  /** The MVStore error code behind {@code e}, or -1. */
  private static int mvCode(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MVStoreException m) {
        return m.getErrorCode();
      }
      var m = t.getMessage() == null ? null : MV_CODE.matcher(t.getMessage());
      if (m != null && m.find()) {
        return Integer.parseInt(m.group(1));
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return -1;
  }

  private static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
