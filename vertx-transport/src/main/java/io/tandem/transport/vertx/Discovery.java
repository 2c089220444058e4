package io.tandem.transport.vertx;

import io.tandem.transport.vertx.Announcement.MalformedAnnouncementException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * LAN discovery by UDP: every interval this device sends an {@link Announcement} of its device
 * name and port to a group, and it hands every announcement it hears from another device to
 * its transport, which may dial it. Announcements are not trusted: they only cause a connection
 * attempt, and the channel security decides.
 */
public final class Discovery implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(Discovery.class.getName());

  /**
   * Where announcements go and how often.
   *
   * @param enabled false switches discovery off entirely (no socket is opened)
   * @param group a multicast group (joined), or for tests a unicast address sent to
   * @param listenPort the UDP port announcements are heard on
   * @param announcePort the UDP port announcements are sent to (equal to listenPort on a LAN)
   * @param interval time between announcements
   * @param networkInterface the interface to multicast on (e.g. "lo"), or null for the default
   */
  public record Options(boolean enabled, String group, int listenPort, int announcePort,
      Duration interval, String networkInterface) {

    public static final Options DEFAULT = new Options(true, "239.255.70.77", 47471, 47471,
        Duration.ofSeconds(5), null);
    public static final Options OFF = DEFAULT.withEnabled(false);

    public Options {
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(interval, "interval");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("interval must be positive");
      }
    }

    public Options withEnabled(boolean on) {
      return new Options(on, group, listenPort, announcePort, interval, networkInterface);
    }
  }

  private final Vertx vertx;
  private final Options options;
  private final Announcement own;
  private final BiConsumer<Announcement, String> heard;
  private DatagramSocket socket;
  private long timer = -1;
  private volatile long malformed;

  /** {@code heard} gets each announcement of another device, with the sender's host. */
  Discovery(Vertx vertx, Options options, Announcement own,
      BiConsumer<Announcement, String> heard) {
    this.vertx = vertx;
    this.options = options;
    this.own = own;
    this.heard = heard;
  }

  Future<Void> start() {
    boolean multicast;
    try {
      multicast = InetAddress.getByName(options.group()).isMulticastAddress();
    } catch (UnknownHostException e) {
      return Future.failedFuture(e);
    }
    DatagramSocketOptions so = new DatagramSocketOptions().setReuseAddress(true)
        .setReusePort(true).setLoopbackModeDisabled(false);
    if (options.networkInterface() != null) {
      so.setMulticastNetworkInterface(options.networkInterface());
    }
    socket = vertx.createDatagramSocket(so);
    socket.handler(this::onPacket);
    return socket.listen(options.listenPort(), "0.0.0.0").compose(s -> multicast
        ? (options.networkInterface() != null
            ? s.listenMulticastGroup(options.group(), options.networkInterface(), null)
            : s.listenMulticastGroup(options.group()))
        : Future.succeededFuture()).map(v -> {
          timer = vertx.setPeriodic(1, options.interval().toMillis(), t -> announce());
          return null;
        });
  }

  /** Announcements heard that were not announcements. */
  long malformed() {
    return malformed;
  }

  private void announce() {
    socket.send(Buffer.buffer(own.encode()), options.announcePort(), options.group())
        .onFailure(e -> LOG.log(Level.DEBUG, "announcement not sent: {0}", e.toString()));
  }

  private void onPacket(DatagramPacket packet) {
    Announcement a;
    try {
      a = Announcement.decode(packet.data().getBytes());
    } catch (MalformedAnnouncementException e) {
      malformed++;
      LOG.log(Level.DEBUG, "dropped a datagram from {0}: {1}", packet.sender(), e.getMessage());
      return;
    }
    if (!a.device().equals(own.device())) {
      heard.accept(a, packet.sender().hostAddress());
    }
  }

  @Override
  public void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (socket != null) {
      socket.close();
    }
  }
}
