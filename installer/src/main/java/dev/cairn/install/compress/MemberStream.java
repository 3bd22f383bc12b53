package dev.cairn.install.compress;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The decompressed bytes of a run of concatenated members (gzip members, xz streams, zstd frames),
 * each decoded by a fresh decoder that stops exactly at its member's end. After the last member the
 * input must end: anything else is trailing data, named by its offset.
 */
final class MemberStream extends InputStream {
  /** Opens the decoder of the member starting at the input's position. */
  interface Member {
    /** The magic a member starts with. */
    boolean startsMember(byte[] head, int n);

    /** Whether {@code head[0..n)} could be the start of a member's magic cut short. */
    boolean isMagicPrefix(byte[] head, int n);

    /** How many bytes {@link #startsMember} looks at. */
    int magicLength();

    /** A decoder of the member at the input's position, or null when it has no content (skipped). */
    InputStream open(SourceInput in) throws IOException;
  }

  private final CompressionFormat format;
  private final SourceInput in;
  private final Member member;
  private InputStream current;
  private boolean ended;
  private IOException failure;

  MemberStream(CompressionFormat format, SourceInput in, Member member) {
    this.format = format;
    this.in = in;
    this.member = member;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n;
    do {
      n = read(one, 0, 1);
    } while (n == 0);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    if (failure != null) {
      throw failure;
    }
    if (len == 0) {
      return 0;
    }
    try {
      while (!ended) {
        if (current == null && !nextMember()) {
          ended = true;
          break;
        }
        int n = current.read(b, off, len);
        if (n > 0) {
          return n;
        }
        if (n < 0) {
          current = null;
        }
      }
      return -1;
    } catch (IOException | RuntimeException e) {
      failure = translate(e);
      throw failure;
    }
  }

  /** Opens the next member; false at the end of the input right after a member. */
  private boolean nextMember() throws IOException {
    while (true) {
      long at = in.position();
      byte[] head = new byte[member.magicLength()];
      in.mark(head.length);
      int n = in.readUpTo(head);
      in.reset();
      if (n == 0) {
        return false; // at 0 the format was not detected: never here
      }
      if (!member.startsMember(head, n)) {
        if (n < head.length && member.isMagicPrefix(head, n)) {
          throw truncated();
        }
        throw new CorruptImageException(
            "trailing data after the end of the " + format + " stream at byte " + at, at);
      }
      current = member.open(in);
      if (current != null) {
        return true;
      }
    }
  }

  private CorruptImageException truncated() {
    long end = in.received();
    return new CorruptImageException(
        "the " + format + " stream ends early at byte " + end + ": truncated download?", end);
  }

  /** The source's own failure as it was; else what the decoder found, as one line with an offset. */
  private IOException translate(Exception e) {
    IOException source = in.sourceFailure();
    if (source != null) {
      return source;
    }
    if (e instanceof CorruptImageException c) {
      return c;
    }
    if (in.sourceEnded() && (e instanceof EOFException || isTruncation(e.getMessage()))) {
      return truncated();
    }
    long at = in.position();
    String what = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new CorruptImageException(
        "the " + format + " stream is corrupt near byte " + at + ": " + what, at);
  }

  private static boolean isTruncation(String message) {
    if (message == null) {
      return false;
    }
    String m = message.toLowerCase(java.util.Locale.ROOT);
    return m.contains("truncated") || m.contains("end of") || m.contains("not enough input");
  }

  @Override
  public void close() throws IOException {
    ended = true;
    in.close();
  }
}
