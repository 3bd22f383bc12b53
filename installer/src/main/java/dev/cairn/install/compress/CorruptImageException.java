package dev.cairn.install.compress;

import java.io.IOException;

/**
 * The compressed image is not what it should be: an unknown format, a truncated stream, a CRC or
 * format error, or data after the end of the last stream. The message is one line and names the
 * byte offset in the compressed input where that is known ({@link #offset()}).
 *
 * <p>It is thrown from {@link Decompress#open} (unknown format) and from the {@code read} methods
 * of the stream it returns. A failure of the underlying input stream itself (a download error) is
 * never turned into this exception: it is rethrown as it was.
 */
public class CorruptImageException extends IOException {
  private static final long serialVersionUID = 1L;

  private final long offset;

  /**
   * @param offset the byte offset in the compressed input the message names, or -1
   */
  public CorruptImageException(String message, long offset) {
    super(oneLine(message));
    this.offset = offset;
  }

  /** The byte offset in the compressed input the message names, or -1 when there is none. */
  public long offset() {
    return offset;
  }

  static String oneLine(String s) {
    if (s == null) {
      return "";
    }
    return s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
  }
}
