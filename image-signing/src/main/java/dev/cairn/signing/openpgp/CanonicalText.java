package dev.cairn.signing.openpgp;

/**
 * Data as a detached text signature (type 0x01, {@code gpg --textmode}) covers it, computed as the
 * bytes stream past. RFC 4880 and RFC 9580 say only "line endings converted to CR LF"; this is
 * what gpg hashes, signing and verifying: lines end at LF; the carriage returns that end a line,
 * before its LF or at the end of the data, are dropped; each LF becomes CR LF. A carriage return
 * inside a line is kept, spaces and tabs at the end of a line are kept, and no line ending is
 * added after the last line. So {@code a\nb}, {@code a\r\nb} and {@code a\r\r\nb} hash alike, and
 * {@code a \nb}, {@code a\rb} and {@code a\nb\n} each differ from them.
 */
final class CanonicalText {
  /** Where canonical bytes go. */
  interface Sink {
    void write(byte[] bytes, int offset, int length);
  }

  private static final byte CR = '\r';
  private static final byte LF = '\n';
  private static final byte[] CRLF = {CR, LF};
  private static final byte[] CRS = new byte[256];

  static {
    java.util.Arrays.fill(CRS, CR);
  }

  private final Sink sink;
  /** Carriage returns seen at the end of what came so far: written only if a byte other than LF follows. */
  private long pendingCr;

  CanonicalText(Sink sink) {
    this.sink = sink;
  }

  /** Canonicalizes {@code len} bytes, handing runs without line endings on as they are. */
  void update(byte[] b, int off, int len) {
    int end = off + len;
    int run = off;
    for (int i = off; i < end; i++) {
      byte c = b[i];
      if (c != CR && c != LF) {
        continue;
      }
      flush(b, run, i);
      if (c == CR) {
        pendingCr++;
      } else {
        pendingCr = 0;
        sink.write(CRLF, 0, 2);
      }
      run = i + 1;
    }
    flush(b, run, end);
  }

  /** Bytes {@code from} to {@code to} hold no CR or LF: the carriage returns before them were inside a line. */
  private void flush(byte[] b, int from, int to) {
    if (from == to) {
      return;
    }
    while (pendingCr > 0) {
      int n = (int) Math.min(pendingCr, CRS.length);
      sink.write(CRS, 0, n);
      pendingCr -= n;
    }
    sink.write(b, from, to - from);
  }

  /** At the end of the data: carriage returns still pending end the last line and are dropped. */
  void finish() {
    pendingCr = 0;
  }
}
