package dev.cairn.install.compress;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The compressed input: buffered, with mark and reset for decoders that read ahead, and the byte
 * offset of the next byte handed out ({@link #position()}), so that errors can name it. It keeps
 * the first exception the source itself threw ({@link #sourceFailure()}): a decoder may wrap or
 * replace it, and the caller must get it back unchanged.
 */
final class SourceInput extends BufferedInputStream {
  private final Counting counting;

  SourceInput(InputStream source) {
    this(new Counting(source));
  }

  private SourceInput(Counting counting) {
    super(counting, 64 * 1024);
    this.counting = counting;
  }

  /** The offset in the compressed input of the next byte {@code read} returns. */
  synchronized long position() {
    return counting.count - (count - pos);
  }

  /** How many bytes the source has delivered so far. */
  long received() {
    return counting.count;
  }

  /** Whether the source has reported its end. */
  boolean sourceEnded() {
    return counting.ended;
  }

  /** The first exception the source threw, or null. */
  IOException sourceFailure() {
    return counting.failure;
  }

  /** Reads until {@code b} is full or the input ends; returns how many bytes were read. */
  int readUpTo(byte[] b) throws IOException {
    int n = 0;
    while (n < b.length) {
      int k = read(b, n, b.length - n);
      if (k < 0) {
        break;
      }
      n += k;
    }
    return n;
  }

  private static final class Counting extends FilterInputStream {
    private volatile long count;
    private volatile boolean ended;
    private volatile IOException failure;

    Counting(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n;
      try {
        n = in.read(b, off, len);
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        }
        throw e;
      }
      if (n > 0) {
        count += n;
      } else if (n < 0) {
        ended = true;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      // Skipped bytes must be counted: read them.
      byte[] b = new byte[(int) Math.min(n, 8192)];
      int k = read(b, 0, b.length);
      return Math.max(k, 0);
    }

    @Override
    public int available() throws IOException {
      return 0;
    }
  }
}
