package dev.cairn.signing.openpgp;

import dev.cairn.signing.Verdict;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;

/**
 * Passes data through while checking its detached signature. Write the bytes wherever they go,
 * then call {@link #finish()}: it answers only after the last byte has been read, and the answer
 * is a {@link Verdict} that is either {@code Verified} or {@code Rejected}. Until then there is
 * nothing to ask, so "not yet verified" cannot be mistaken for "verified".
 */
public final class VerifyingInputStream extends FilterInputStream {
  private final SignatureCheck check;
  private boolean ended;
  private Verdict verdict;

  VerifyingInputStream(InputStream data, SignatureCheck check) {
    super(data);
    this.check = check;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b < 0) {
      ended = true;
    } else {
      check.update(new byte[] {(byte) b}, 0, 1);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n < 0) {
      ended = true;
    } else {
      check.update(b, off, n);
    }
    return n;
  }

  /** Skipped bytes are read and checked like any others. */
  @Override
  public long skip(long n) throws IOException {
    byte[] buf = new byte[(int) Math.min(n, 1 << 16)];
    long left = n;
    while (left > 0) {
      int r = read(buf, 0, (int) Math.min(left, buf.length));
      if (r < 0) {
        break;
      }
      left -= r;
    }
    return n - left;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public synchronized void mark(int readlimit) {}

  @Override
  public synchronized void reset() throws IOException {
    throw new IOException("a verifying stream cannot be reset");
  }

  /**
   * The verdict on everything read. Call it once {@code read} has returned -1.
   *
   * @throws IllegalStateException when the end of the data has not been reached
   */
  public Verdict finish() {
    if (!ended) {
      throw new IllegalStateException(
          "finish() before the end of the data: read until read() returns -1 first");
    }
    if (verdict == null) {
      verdict = check.conclude(Instant.now());
    }
    return verdict;
  }
}
