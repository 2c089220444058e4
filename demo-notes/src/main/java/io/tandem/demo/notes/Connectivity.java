package io.tandem.demo.notes;

/**
 * A device's switch for its network: off cuts every connection to its peers for real (the
 * transport stops carrying frames), on lets them come back. The page's "offline" switch.
 */
interface Connectivity {

  boolean online();

  void setOnline(boolean online);

  /** Whether the switch does anything; a device without one reports 409 when asked. */
  default boolean switchable() {
    return true;
  }

  /** For a device whose transport offers no switch. */
  static Connectivity fixed() {
    return new Connectivity() {
      @Override
      public boolean online() {
        return true;
      }

      @Override
      public void setOnline(boolean online) {
        throw new ApiException(409, "this device's transport has no offline switch");
      }

      @Override
      public boolean switchable() {
        return false;
      }
    };
  }
}
