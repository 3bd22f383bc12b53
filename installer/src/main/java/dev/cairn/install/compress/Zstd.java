package dev.cairn.install.compress;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * zstd frames (RFC 8878) decoded by aircompressor's pure-Java decoder, one frame at a time: the
 * frame and block headers are read here as the bytes pass through, so that each decoder sees
 * exactly one frame and the end of the last frame is known to the byte. Skippable frames are
 * skipped; the decoder checks each frame's content checksum.
 */
final class Zstd implements MemberStream.Member {
  private static final int FRAME_MAGIC = 0xFD2FB528;

  static boolean isFrameMagic(byte[] b, int off) {
    return le32(b, off) == FRAME_MAGIC;
  }

  private static boolean isSkippableMagic(byte[] b, int off) {
    return (le32(b, off) & 0xFFFFFFF0) == 0x184D2A50;
  }

  private static int le32(byte[] b, int off) {
    return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
  }

  @Override
  public int magicLength() {
    return 4;
  }

  @Override
  public boolean startsMember(byte[] head, int n) {
    return n == 4 && (isFrameMagic(head, 0) || isSkippableMagic(head, 0));
  }

  @Override
  public boolean isMagicPrefix(byte[] head, int n) {
    byte[] frame = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};
    byte[] skip = {0x50, 0x2a, 0x4d, 0x18};
    return prefixOf(head, n, frame) || (n >= 1 && (head[0] & 0xf0) == 0x50 && prefixOf(head, n, skip, 1));
  }

  private static boolean prefixOf(byte[] head, int n, byte[] magic) {
    return prefixOf(head, n, magic, 0);
  }

  private static boolean prefixOf(byte[] head, int n, byte[] magic, int from) {
    for (int i = from; i < n; i++) {
      if (head[i] != magic[i]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public InputStream open(SourceInput in) throws IOException {
    byte[] magic = new byte[4];
    in.mark(4);
    in.readUpTo(magic);
    in.reset();
    if (isSkippableMagic(magic, 0)) {
      byte[] header = new byte[8];
      readFully(in, header, 0, 8);
      long size = le32(header, 4) & 0xffffffffL;
      while (size > 0) {
        long k = in.skip(size);
        if (k <= 0) {
          if (in.read() < 0) {
            throw truncated(in);
          }
          k = 1;
        }
        size -= k;
      }
      return null;
    }
    return new ZstdInputStream(new OneFrame(in));
  }

  static CorruptImageException truncated(SourceInput in) {
    long end = in.received();
    return new CorruptImageException("the zstd stream ends early at byte " + end + ": truncated download?", end);
  }

  static void readFully(SourceInput in, byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      int k = in.read(b, off, len);
      if (k < 0) {
        throw truncated(in);
      }
      off += k;
      len -= k;
    }
  }

  /** The bytes of one zstd frame, then the end: its headers are parsed on the way through. */
  private static final class OneFrame extends InputStream {
    private final SourceInput in;
    private final byte[] header = new byte[18];
    private int headerPos;
    private int headerLen;
    private long passThrough;
    private int state; // 0 frame header, 1 block header, 2 checksum, 3 end
    private boolean checksum;

    OneFrame(SourceInput in) {
      this.in = in;
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
      if (len == 0) {
        return 0;
      }
      while (true) {
        if (headerPos < headerLen) {
          int n = Math.min(len, headerLen - headerPos);
          System.arraycopy(header, headerPos, b, off, n);
          headerPos += n;
          return n;
        }
        if (passThrough > 0) {
          int n = in.read(b, off, (int) Math.min(len, passThrough));
          if (n < 0) {
            throw truncated(in);
          }
          passThrough -= n;
          return n;
        }
        switch (state) {
          case 0 -> frameHeader();
          case 1 -> blockHeader();
          case 2 -> {
            passThrough = checksum ? 4 : 0;
            state = 3;
          }
          default -> {
            return -1;
          }
        }
      }
    }

    private void frameHeader() throws IOException {
      readFully(in, header, 0, 5);
      int fhd = header[4] & 0xff;
      int fcsFlag = fhd >>> 6;
      boolean singleSegment = (fhd & 0x20) != 0;
      checksum = (fhd & 0x04) != 0;
      int didFlag = fhd & 0x03;
      int rest = (singleSegment ? 0 : 1) + new int[] {0, 1, 2, 4}[didFlag]
          + (fcsFlag == 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag);
      readFully(in, header, 5, rest);
      headerPos = 0;
      headerLen = 5 + rest;
      state = 1;
    }

    private void blockHeader() throws IOException {
      readFully(in, header, 0, 3);
      int h = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
      boolean last = (h & 1) != 0;
      int type = (h >>> 1) & 3;
      int size = h >>> 3;
      if (type == 3) {
        long at = in.position() - 3;
        throw new CorruptImageException("the zstd stream is corrupt at byte " + at + ": reserved block type", at);
      }
      passThrough = type == 1 ? 1 : size;
      headerPos = 0;
      headerLen = 3;
      state = last ? 2 : 1;
    }
  }
}
