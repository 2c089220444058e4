package io.tandem.storage.h2;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where a store lives when the app names no directory. */
class DefaultDirectoryTest {

  @Test
  void defaultDirectoryFollowsEachPlatformsConvention() {
    assertThat(StoreFiles.defaultDirectory(Map.of("XDG_DATA_HOME", "/data"), "Linux",
        "/home/u")).isEqualTo(Path.of("/data/tandem"));
    assertThat(StoreFiles.defaultDirectory(Map.of("XDG_DATA_HOME", "relative"), "Linux",
        "/home/u")).as("a relative XDG_DATA_HOME is ignored")
        .isEqualTo(Path.of("/home/u/.local/share/tandem"));
    assertThat(StoreFiles.defaultDirectory(Map.of(), "Linux", "/home/u"))
        .isEqualTo(Path.of("/home/u/.local/share/tandem"));
    assertThat(StoreFiles.defaultDirectory(Map.of(), "Mac OS X", "/Users/u"))
        .isEqualTo(Path.of("/Users/u/Library/Application Support/Tandem"));
    assertThat(StoreFiles.defaultDirectory(Map.of("LOCALAPPDATA", "/c/AppData/Local"),
        "Windows 11", "/c/u")).isEqualTo(Path.of("/c/AppData/Local/Tandem"));
    assertThat(H2ReplicaStore.defaultDirectory()).isAbsolute();
  }
}
