package dev.cairn.install.run;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hands chunks from a producer thread (the download, which also hashes) to a consumer's {@link
 * InputStream} (the decompressor), holding at most a fixed number of chunks. The producer's
 * failure is raised from the consumer's next read, unchanged; a consumer that closes the stream
 * makes the producer's next {@link #put} fail, so neither side waits on the other forever.
 */
final class ChunkPipe extends InputStream {
  private static final byte[] END = new byte[0];

  private final BlockingQueue<byte[]> queue;
  private volatile IOException failure;
  private volatile boolean closed;
  private byte[] current = new byte[0];
  private int offset;
  private boolean ended;

  ChunkPipe(int chunks) {
    queue = new ArrayBlockingQueue<>(chunks);
  }

  /** Producer: passes a chunk on; the array must not be touched afterwards. */
  void put(byte[] chunk) throws IOException {
    try {
      while (!queue.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
        if (closed) {
          throw new IOException("the reader stopped");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** Producer: no more data. */
  void end() throws IOException {
    put(END);
  }

  /** Producer: the data stops here, with this failure. */
  void fail(IOException e) {
    failure = e;
    queue.clear();
    queue.offer(END);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (offset == current.length) {
      if (ended) {
        return -1;
      }
      try {
        byte[] next = queue.take();
        if (next == END) {
          if (failure != null) {
            throw failure;
          }
          ended = true;
          return -1;
        }
        current = next;
        offset = 0;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    int n = Math.min(len, current.length - offset);
    System.arraycopy(current, offset, b, off, n);
    offset += n;
    return n;
  }

  @Override
  public void close() {
    closed = true;
    queue.clear();
  }
}
