package dev.cairn.install.run;

import java.io.IOException;
import java.io.InputStream;

/** Opens a compressed image as its decompressed bytes, detecting the format. */
@FunctionalInterface
public interface Unpacker {
  InputStream open(InputStream compressed, int threads) throws IOException;
}
