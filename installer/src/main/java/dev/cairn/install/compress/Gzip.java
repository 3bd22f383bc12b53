package dev.cairn.install.compress;

import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * gzip members decoded by commons-compress, one member per decoder: the decoder reads ahead, and
 * puts back what it did not use through {@link SourceInput}'s mark and reset, so the input stands
 * at the member's end afterwards. The decoder checks each member's CRC-32 and length.
 */
final class Gzip implements MemberStream.Member {
  @Override
  public int magicLength() {
    return 2;
  }

  @Override
  public boolean startsMember(byte[] head, int n) {
    return n == 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
  }

  @Override
  public boolean isMagicPrefix(byte[] head, int n) {
    return n == 1 && (head[0] & 0xff) == 0x1f;
  }

  @Override
  public InputStream open(SourceInput in) throws IOException {
    return GzipCompressorInputStream.builder().setInputStream(in).setDecompressConcatenated(false).get();
  }
}
