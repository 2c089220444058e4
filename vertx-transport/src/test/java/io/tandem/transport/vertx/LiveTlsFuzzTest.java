package io.tandem.transport.vertx;

import io.vertx.core.net.NetClientOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live fuzz over TLS 1.3 sessions, from a paired device gone bad (the handshake keeps every
 * other intruder out, see {@link TlsRefusalTest}). Each connection costs a handshake, so CI runs
 * fewer frames: {@code tandem.tlsFuzzFrames}, 300 by default.
 */
class LiveTlsFuzzTest extends LiveFuzzTest {

  @TempDir
  Path dir;
  private TestDevice victim;
  private TestDevice mallory;

  @Override
  protected int frames() {
    return Integer.getInteger("tandem.tlsFuzzFrames", 300);
  }

  @Override
  protected ChannelSecurity victimSecurity() throws Exception {
    victim = new TestDevice(dir.resolve("victim"), "victim");
    mallory = new TestDevice(dir.resolve("mallory"), "mallory");
    victim.pin(mallory);
    mallory.pin(victim);
    return ChannelSecurity.tls(victim.tls);
  }

  @Override
  protected ChannelSecurity friendSecurity() throws Exception {
    TestDevice friend = new TestDevice(dir.resolve("friend"), "friend");
    victim.pin(friend);
    friend.pin(victim);
    return ChannelSecurity.tls(friend.tls);
  }

  @Override
  protected NetClientOptions attackerOptions() {
    return mallory.tls.applyTo(new NetClientOptions());
  }

  @Override
  protected String attackerName() {
    return mallory.fingerprint().hex();
  }
}
