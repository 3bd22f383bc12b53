package dev.cairn.pxe.http;

import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;

/**
 * Sends part of a file as the response body without holding a thread while the client is slow:
 * zero-copy transfers ({@code transferFrom}, sendfile underneath) run on a worker for as long as the
 * socket takes bytes; when it takes none, the exchange waits for the socket to become writable
 * holding no thread. The file is closed when the send ends, fails, or its exchange ends.
 */
final class FileSend implements Runnable, ChannelListener<StreamSinkChannel> {
  private final HttpServerExchange ex;
  private final FileChannel file;
  private final Executor workers;
  private final long end;
  private long pos;
  private StreamSinkChannel channel;
  private boolean headersSent;

  private FileSend(HttpServerExchange ex, FileChannel file, long from, long length, Executor workers) {
    this.ex = ex;
    this.file = file;
    this.workers = workers;
    this.pos = from;
    this.end = from + length;
  }

  /**
   * Sends {@code length} bytes of {@code file} from {@code from} (the headers are set) and ends the
   * exchange; {@code file} is closed by it. Call from a handler on a worker, not an I/O thread.
   */
  static void start(HttpServerExchange ex, FileChannel file, long from, long length) {
    FileSend s = new FileSend(ex, file, from, length, ex.getConnection().getWorker());
    ex.addExchangeCompleteListener((done, next) -> {
      IoUtils.safeClose(file);
      next.proceed();
    });
    s.run();
  }

  @Override
  public void run() {
    try {
      if (channel == null) {
        channel = ex.getResponseChannel();
      }
      // Undertow's transferFrom reads the file at its own position while the headers are still
      // pending; once they are out it hands position and count to sendfile.
      if (!headersSent) {
        if (!channel.flush()) {
          waitWritable();
          return;
        }
        headersSent = true;
      }
      while (pos < end) {
        long n = channel.transferFrom(file, pos, end - pos);
        if (n == 0) {
          if (pos >= file.size()) {
            throw new IOException("the file ended early, at byte " + pos + " of " + end);
          }
          waitWritable();
          return;
        }
        pos += n;
      }
      IoUtils.safeClose(file);
      ex.endExchange();
    } catch (IOException | RuntimeException e) {
      fail();
    }
  }

  private void waitWritable() {
    channel.getWriteSetter().set(this);
    channel.resumeWrites();
  }

  /** The socket is writable again (on its I/O thread): back to a worker. */
  @Override
  public void handleEvent(StreamSinkChannel ch) {
    ch.suspendWrites();
    ch.getWriteSetter().set(null);
    try {
      workers.execute(this);
    } catch (RejectedExecutionException e) {
      fail();    // the server is stopping
    }
  }

  /** The client went away or the file failed: the connection cannot carry on. */
  private void fail() {
    IoUtils.safeClose(file);
    IoUtils.safeClose(ex.getConnection());
  }
}
