package dev.cairn.signing.openpgp;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads a stream on a background thread into a few large buffers, so the disk or page cache is
 * read while the caller hashes the previous buffer. Memory stays at {@code chunks * chunkSize}
 * whatever the stream's length.
 */
final class ReadAhead implements AutoCloseable {
  static final int CHUNK = 1 << 20;

  /** A filled buffer: {@code length} bytes of {@code bytes}. */
  static final class Chunk {
    final byte[] bytes;
    int length;
    IOException failure;

    Chunk(int size) {
      bytes = new byte[size];
    }
  }

  private static final Chunk END = new Chunk(0);

  private final InputStream in;
  private final BlockingQueue<Chunk> free;
  private final BlockingQueue<Chunk> full;
  private final Thread reader;

  ReadAhead(InputStream in, int chunkSize, int chunks) {
    this.in = in;
    this.free = new ArrayBlockingQueue<>(chunks);
    this.full = new ArrayBlockingQueue<>(chunks + 1);
    for (int i = 0; i < chunks; i++) {
      free.add(new Chunk(chunkSize));
    }
    reader = new Thread(this::fill, "cairn-read-ahead");
    reader.setDaemon(true);
    reader.start();
  }

  ReadAhead(InputStream in) {
    this(in, CHUNK, 4);
  }

  private void fill() {
    try {
      while (true) {
        Chunk c = free.take();
        int n = 0;
        try {
          while (n < c.bytes.length) {
            int r = in.read(c.bytes, n, c.bytes.length - n);
            if (r < 0) {
              break;
            }
            n += r;
          }
        } catch (IOException e) {
          c.length = 0;
          c.failure = e;
          full.put(c);
          return;
        }
        c.length = n;
        if (n > 0) {
          full.put(c);
        }
        if (n < c.bytes.length) {
          full.put(END);
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The next filled chunk, or null at the end. Hand it back with {@link #recycle}. */
  Chunk next() throws IOException {
    Chunk c;
    try {
      c = full.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading");
    }
    if (c == END) {
      full.add(END);
      return null;
    }
    if (c.failure != null) {
      throw c.failure;
    }
    return c;
  }

  void recycle(Chunk c) {
    free.add(c);
  }

  @Override
  public void close() throws IOException {
    reader.interrupt();
    in.close();
  }
}
