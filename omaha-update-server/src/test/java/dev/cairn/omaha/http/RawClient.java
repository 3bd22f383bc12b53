package dev.cairn.omaha.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A client on a plain socket, for what HTTP clients do not send: headers whose body never comes,
 * a chunked body that never ends or is broken, a download it stops reading. It may connect from
 * any loopback address (127.0.0.2, ...), as a machine of its own would.
 */
final class RawClient implements AutoCloseable {
  final Socket socket;

  private RawClient(Socket socket) {
    this.socket = socket;
  }

  /** Connects to 127.0.0.1:{@code port} from {@code from}; {@code receiveBuffer} 0 leaves the system's. */
  static RawClient connect(int port, String from, int receiveBuffer) {
    Socket s = new Socket();
    try {
      if (receiveBuffer > 0) {
        s.setReceiveBufferSize(receiveBuffer);
      }
      s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
      s.setSoTimeout(10_000);
      return new RawClient(s);
    } catch (IOException e) {
      try {
        s.close();
      } catch (IOException ignored) {
        // nothing more to do
      }
      throw new UncheckedIOException(e);
    }
  }

  static RawClient connect(int port, String from) {
    return connect(port, from, 0);
  }

  RawClient send(String text) {
    try {
      socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads {@code n} bytes of the answer (fewer if the server closes first). */
  String read(int n) throws IOException {
    return new String(socket.getInputStream().readNBytes(n), StandardCharsets.ISO_8859_1);
  }

  /** Reads one answer, its headers and as many bytes of body as its Content-Length says. */
  String answer() throws IOException {
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the connection closed within the headers: " + head);
      }
      head.append((char) b);
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
    int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
    return head + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
  }

  /**
   * What the server sent until it closed the connection, or null when it did not close it within
   * {@code within}. A reset counts as closed.
   */
  String untilClosed(Duration within) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    long deadline = System.nanoTime() + within.toNanos();
    InputStream in = socket.getInputStream();
    byte[] buf = new byte[64 * 1024];
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
        int n = in.read(buf);
        if (n < 0) {
          return got.toString(StandardCharsets.ISO_8859_1);
        }
        got.write(buf, 0, n);
      }
    } catch (SocketTimeoutException e) {
      return null;
    } catch (SocketException e) {
      return got.toString(StandardCharsets.ISO_8859_1);    // reset by the server
    }
  }

  /** Whether the server has closed the connection, looking for no longer than {@code within}. */
  boolean closedWithin(Duration within) throws IOException {
    return untilClosed(within) != null;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closed either way
    }
  }
}
