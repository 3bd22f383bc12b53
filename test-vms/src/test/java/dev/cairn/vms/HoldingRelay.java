package dev.cairn.vms;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay on loopback in front of a real server, there only to time a fault: once one
 * connection has carried {@code holdAfter} bytes towards the client, it stops forwarding (the
 * client sees a stalled transfer) and says so, so a test can kill the real server at that point
 * of a download, not somewhere it cannot choose. After the server is gone the relay drops the held
 * connection, and it keeps accepting: each new connection is forwarded to the server's port, which
 * refuses until the server is started again.
 */
final class HoldingRelay implements AutoCloseable {
  private final ServerSocket listener;
  private final int upstreamPort;
  private final long holdAfter;
  private final CountDownLatch holding = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile boolean held;

  HoldingRelay(int upstreamPort, long holdAfter) throws IOException {
    this.upstreamPort = upstreamPort;
    this.holdAfter = holdAfter;
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::accept, "relay-accept");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Waits until a connection is held, that is, the download is part-way. */
  boolean awaitHolding(long seconds) throws InterruptedException {
    return holding.await(seconds, TimeUnit.SECONDS);
  }

  /** Drops the held connection (after the server was killed): the client sees the transfer break. */
  void dropHeld() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    release.countDown();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        sockets.add(client);
        Socket server;
        try {
          server = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
        } catch (IOException refused) {
          client.close();
          continue;
        }
        sockets.add(server);
        pump(client.getInputStream(), server.getOutputStream(), false, client, server);
        pump(server.getInputStream(), client.getOutputStream(), true, client, server);
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pump(InputStream in, OutputStream out, boolean toClient, Socket a, Socket b) {
    Thread t = new Thread(() -> {
      long sent = 0;
      byte[] buf = new byte[16 * 1024];
      try {
        int n;
        while ((n = in.read(buf)) > 0) {
          if (toClient && !held && sent + n > holdAfter) {
            int first = (int) (holdAfter - sent);
            out.write(buf, 0, first);
            out.flush();
            held = true;
            holding.countDown();
            release.await();
            break;
          }
          out.write(buf, 0, n);
          sent += n;
        }
      } catch (IOException | InterruptedException e) {
        // The other side went away.
      } finally {
        try {
          a.close();
          b.close();
        } catch (IOException ignored) {
          // Closing anyway.
        }
      }
    }, "relay-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    release.countDown();
    listener.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
