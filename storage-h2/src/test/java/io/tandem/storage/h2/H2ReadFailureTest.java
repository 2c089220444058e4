package io.tandem.storage.h2;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * H2 failing inside itself on a damaged file (an assertion of its own with {@code -ea}, or a
 * recursion through a page tree that loops) is reported as damage, a typed error the caller can
 * act on; the same errors from anywhere else, and every other error, pass through untouched.
 */
class H2ReadFailureTest {

  private static <E extends Error> E thrownAt(E e, String className) {
    e.setStackTrace(new StackTraceElement[] {
        new StackTraceElement(className, "read", "X.java", 1)});
    return e;
  }

  @Test
  void anAssertionOrStackOverflowInsideH2IsDamage() {
    AssertionError inH2 = thrownAt(new AssertionError("page 7"), "org.h2.mvstore.Page");
    assertThat(Errors.isH2ReadFailure(inH2)).isTrue();
    assertThat(Errors.isH2ReadFailure(thrownAt(new StackOverflowError(), "org.h2.mvstore.MVMap")))
        .isTrue();
    StoreCorruptedException typed = Errors.h2ReadFailure("/s", "opening", inH2);
    assertThat(typed).hasCause(inH2).hasMessageContaining("/s is damaged (opening")
        .hasMessageContaining("quarantine");
  }

  @Test
  void theSameErrorsElsewhereAndOtherErrorsAreNotDamage() {
    assertThat(Errors.isH2ReadFailure(thrownAt(new AssertionError(), "io.tandem.storage.h2.X")))
        .isFalse();
    assertThat(Errors.isH2ReadFailure(thrownAt(new OutOfMemoryError(), "org.h2.mvstore.Page")))
        .isFalse();
    assertThat(Errors.isH2ReadFailure(new AssertionError())).isFalse(); // a trace is in H2 or not
  }
}
