package dev.cairn.install.compress;

import java.io.IOException;
import java.io.InputStream;

/**
 * The decompressed image, as {@link Decompress#open} returns it. Errors in the compressed data
 * surface from {@code read} as {@link CorruptImageException}; a failure of the compressed input
 * stream surfaces as the exception it threw. {@link #close()} closes the compressed input and stops
 * any decoding threads.
 */
public final class DecompressedStream extends InputStream {
  private final CompressionFormat format;
  private final InputStream decoded;

  DecompressedStream(CompressionFormat format, InputStream decoded) {
    this.format = format;
    this.decoded = decoded;
  }

  /** The format the image was found to be in. */
  public CompressionFormat format() {
    return format;
  }

  @Override
  public int read() throws IOException {
    return decoded.read();
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    return decoded.read(b, off, len);
  }

  @Override
  public void close() throws IOException {
    decoded.close();
  }
}
