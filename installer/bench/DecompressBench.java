import dev.cairn.install.compress.Decompress;
import dev.cairn.install.compress.DecompressedStream;
import java.io.BufferedOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.SplittableRandom;

/**
 * The decompression benchmark's Java side.
 *
 * <pre>
 *   DecompressBench make IMAGE MIB          writes the test image: 1 MiB of random bytes, then 1 MiB of
 *                                           zeros, and so on (a disk image is much like that)
 *   DecompressBench decode FILE THREADS [cairn|commons-compress]
 *                                           decodes FILE as `cairn install` does, counting the bytes,
 *                                           and prints how many
 * </pre>
 */
public final class DecompressBench {
  public static void main(String[] args) throws Exception {
    if (args.length >= 3 && args[0].equals("make")) {
      make(args[1], Integer.parseInt(args[2]));
    } else if (args.length >= 3 && args[0].equals("decode")) {
      Decompress.Bzip2Decoder decoder = args.length > 3 && args[3].equals("commons-compress")
          ? Decompress.Bzip2Decoder.COMMONS_COMPRESS : Decompress.Bzip2Decoder.CAIRN;
      decode(args[1], Integer.parseInt(args[2]), decoder);
    } else {
      System.err.println("usage: DecompressBench make IMAGE MIB | decode FILE THREADS [cairn|commons-compress]");
      System.exit(2);
    }
  }

  private static void make(String path, int mib) throws Exception {
    SplittableRandom random = new SplittableRandom(2026);
    byte[] zeros = new byte[1 << 20];
    byte[] block = new byte[1 << 20];
    try (OutputStream out = new BufferedOutputStream(new FileOutputStream(path), 1 << 20)) {
      for (int i = 0; i < mib; i++) {
        if (i % 2 == 0) {
          random.nextBytes(block);
          out.write(block);
        } else {
          out.write(zeros);
        }
      }
    }
  }

  private static void decode(String path, int threads, Decompress.Bzip2Decoder decoder) throws Exception {
    long total = 0;
    try (InputStream file = new FileInputStream(path);
        DecompressedStream in = Decompress.open(file, threads, decoder)) {
      byte[] buf = new byte[1 << 20];
      int n;
      while ((n = in.read(buf)) >= 0) {
        total += n;
      }
      System.out.println(in.format() + " " + total);
    }
  }
}
