package dev.cairn.install.cli;

import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/** The decompressor {@code cairn install} uses. */
public final class Unpack {
  private Unpack() {}

  public static InputStream open(InputStream in, int threads) throws IOException {
    return new BZip2CompressorInputStream(in, true);
  }
}
