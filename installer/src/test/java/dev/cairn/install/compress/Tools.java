package dev.cairn.install.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/** The real compression tools (bzip2, lbzip2, gzip, xz, zstd), and test data. */
final class Tools {
  private Tools() {}

  /** Runs {@code command} with {@code input} on its stdin and returns its stdout; it must exit 0. */
  static byte[] run(byte[] input, String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      CompletableFuture<Void> feed = CompletableFuture.runAsync(() -> {
        try (OutputStream out = p.getOutputStream()) {
          out.write(input);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      byte[] out = p.getInputStream().readAllBytes();
      feed.join();
      assertEquals(0, p.waitFor(), String.join(" ", command) + " failed");
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /**
   * Random bytes, runs of zeros and of one byte (long and short, to exercise the run-length steps),
   * and repetitive text, in pieces of varying length.
   */
  static byte[] mixed(int n, long seed) {
    Random r = new Random(seed);
    byte[] b = new byte[n];
    int i = 0;
    String text = "The quick brown fox jumps over the lazy dog. cairn install writes the image. ";
    while (i < n) {
      int len = Math.min(n - i, 1 + r.nextInt(r.nextBoolean() ? 300 : 40_000));
      switch (r.nextInt(4)) {
        case 0 -> {
          byte[] x = new byte[len];
          r.nextBytes(x);
          System.arraycopy(x, 0, b, i, len);
        }
        case 1 -> { } // zeros
        case 2 -> java.util.Arrays.fill(b, i, i + len, (byte) r.nextInt(256));
        default -> {
          for (int k = 0; k < len; k++) {
            b[i + k] = (byte) text.charAt((k + r.nextInt(2)) % text.length());
          }
        }
      }
      i += len;
    }
    return b;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** What Cairn decodes {@code compressed} to, read in 64 KiB pieces. */
  static byte[] decode(byte[] compressed, int threads) throws IOException {
    return decode(new ByteArrayInputStream(compressed), threads);
  }

  static byte[] decode(InputStream compressed, int threads) throws IOException {
    return decode(compressed, threads, Decompress.Bzip2Decoder.CAIRN);
  }

  static byte[] decode(InputStream compressed, int threads, Decompress.Bzip2Decoder decoder) throws IOException {
    try (DecompressedStream in = Decompress.open(compressed, threads, decoder)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    }
  }

  /** A source that hands over one byte per read, as a slow network might. */
  static final class OneByteReads extends InputStream {
    private final ByteArrayInputStream in;

    OneByteReads(byte[] data) {
      this.in = new ByteArrayInputStream(data);
    }

    @Override
    public int read() {
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      int c = in.read();
      if (c < 0) {
        return -1;
      }
      b[off] = (byte) c;
      return 1;
    }
  }

  /** A source that delivers {@code data}, then fails with {@code failure} (a dropped download). */
  static final class FailsAfter extends InputStream {
    private final ByteArrayInputStream in;
    private final IOException failure;

    FailsAfter(byte[] data, IOException failure) {
      this.in = new ByteArrayInputStream(data);
      this.failure = failure;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n < 0) {
        throw failure;
      }
      return n;
    }
  }
}
