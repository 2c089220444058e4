package io.tandem.crdt;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Packs the maps a test class makes from a size of its choosing on, so that small histories
 * cover the packed form: set before each test (so a test that changes it leaves the next one as
 * it was), and put back as it was before the class after it. Registered as a static field:
 * {@code @RegisterExtension static final PackFrom PACK = PackFrom.maps(8);}
 */
final class PackFrom implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

  private final int size;
  private int before;

  private PackFrom(int size) {
    this.size = size;
  }

  /** Maps packed from {@code size} keys on. */
  static PackFrom maps(int size) {
    return new PackFrom(size);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    before = OrMap.packAt;
    OrMap.packAt = size;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    OrMap.packAt = size;
  }

  @Override
  public void afterAll(ExtensionContext context) {
    OrMap.packAt = before;
  }
}
