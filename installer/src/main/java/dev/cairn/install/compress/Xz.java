package dev.cairn.install.compress;

import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * xz streams decoded by commons-compress (with org.tukaani:xz), one stream per decoder, which reads
 * exactly to the stream's footer. The decoder checks each block's and the stream's checks. Stream
 * padding (zero bytes after a stream, which the xz format allows) is refused like any other data
 * after the last stream: xz itself never writes it.
 */
final class Xz implements MemberStream.Member {
  private static final byte[] MAGIC = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};

  @Override
  public int magicLength() {
    return MAGIC.length;
  }

  @Override
  public boolean startsMember(byte[] head, int n) {
    return n == MAGIC.length && isMagicPrefix(head, n);
  }

  @Override
  public boolean isMagicPrefix(byte[] head, int n) {
    for (int i = 0; i < n; i++) {
      if (head[i] != MAGIC[i]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public InputStream open(SourceInput in) throws IOException {
    return XZCompressorInputStream.builder().setInputStream(in).setDecompressConcatenated(false).get();
  }
}
