package dev.cairn.omaha.http;

import dev.cairn.omaha.AddressQuota;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;

/**
 * Bounds the open connections of each client address. It sits between the listening socket and
 * Undertow's HTTP listener (Undertow has no such limit): a connection beyond the limit is closed
 * as it is accepted, before a byte of it is read, so it costs no buffer and no parsing.
 *
 * <p>An IPv6 client is counted by its /64, as {@link AddressQuota#key} counts it for grants.
 *
 * <p>Each address's connections are kept in a list, and the closed ones are dropped from it when
 * the address reaches its limit and by {@link #sweep}; counting open connections is exact.
 */
final class ConnectionGate implements ChannelListener<StreamConnection> {
  private final ChannelListener<StreamConnection> next;
  private final int perAddress;
  private final RefusalLog refusals;
  private final ConcurrentHashMap<String, List<StreamConnection>> open = new ConcurrentHashMap<>();

  /** {@code perAddress} 0 is no limit, and then nothing is kept. */
  ConnectionGate(ChannelListener<StreamConnection> next, int perAddress, RefusalLog refusals) {
    this.next = next;
    this.perAddress = perAddress;
    this.refusals = refusals;
  }

  @Override
  public void handleEvent(StreamConnection c) {
    if (perAddress > 0 && !admit(c)) {
      InetAddress a = address(c);
      refusals.refused("connection from " + (a == null ? c.getPeerAddress() : a.getHostAddress()) + ": it has "
          + perAddress + " open already (max_connections_per_address); closed at once");
      IoUtils.safeClose(c);
      return;
    }
    next.handleEvent(c);
  }

  private boolean admit(StreamConnection c) {
    InetAddress a = address(c);
    if (a == null) {
      return true;
    }
    boolean[] admitted = {false};
    open.compute(AddressQuota.key(a.getHostAddress()), (k, list) -> {
      List<StreamConnection> l = list == null ? new ArrayList<>() : list;
      if (l.size() >= perAddress) {
        l.removeIf(x -> !x.isOpen());
      }
      if (l.size() < perAddress) {
        l.add(c);
        admitted[0] = true;
      }
      return l;
    });
    return admitted[0];
  }

  private static InetAddress address(StreamConnection c) {
    return c.getPeerAddress() instanceof InetSocketAddress s ? s.getAddress() : null;
  }

  /** Drops the closed connections, and the addresses left with none. */
  void sweep() {
    for (String a : open.keySet()) {
      open.computeIfPresent(a, (k, l) -> {
        l.removeIf(x -> !x.isOpen());
        return l.isEmpty() ? null : l;
      });
    }
  }

  /** The open connections of {@code a} (0 when there is no limit, as nothing is kept then). */
  int open(InetAddress a) {
    return open(AddressQuota.key(a.getHostAddress()));
  }

  private int open(String key) {
    int[] n = {0};
    open.computeIfPresent(key, (k, l) -> {
      n[0] = (int) l.stream().filter(StreamConnection::isOpen).count();
      return l;
    });
    return n[0];
  }

  /** The open connections of every address (0 when there is no limit). */
  int open() {
    int n = 0;
    for (String a : open.keySet()) {
      n += open(a);
    }
    return n;
  }
}
