package io.tandem.demo.notes;

/**
 * A device's switch for its network: off cuts every connection to its peers for real (the
 * transport stops carrying frames), on lets them come back. The page's "offline" switch.
 */
interface Connectivity {

  boolean online();

  void setOnline(boolean online);
}
