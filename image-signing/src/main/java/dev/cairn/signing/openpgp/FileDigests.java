package dev.cairn.signing.openpgp;

import dev.cairn.signing.DigestsFile;
import dev.cairn.signing.files.FileAccess;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Digests of files, in one read-ahead pass per file, with the JDK's digests. */
public final class FileDigests {
  /** What Cairn writes into a DIGESTS file. */
  public static final Set<DigestsFile.Algorithm> WRITTEN =
      Collections.unmodifiableSet(EnumSet.of(DigestsFile.Algorithm.SHA256, DigestsFile.Algorithm.SHA512));

  private FileDigests() {}

  /** The {@code algorithms} digests of {@code file}, as lower-case hex. */
  public static Map<DigestsFile.Algorithm, String> of(Path file, Set<DigestsFile.Algorithm> algorithms)
      throws IOException {
    Map<DigestsFile.Algorithm, MessageDigest> mds = new EnumMap<>(DigestsFile.Algorithm.class);
    try {
      for (DigestsFile.Algorithm a : algorithms) {
        mds.put(a, MessageDigest.getInstance(a.jdkName()));
      }
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (ReadAhead in = new ReadAhead(FileAccess.open(file))) {
      ReadAhead.Chunk c;
      while ((c = in.next()) != null) {
        for (MessageDigest md : mds.values()) {
          md.update(c.bytes, 0, c.length);
        }
        in.recycle(c);
      }
    }
    Map<DigestsFile.Algorithm, String> out = new EnumMap<>(DigestsFile.Algorithm.class);
    mds.forEach((a, md) -> out.put(a, HexFormat.of().formatHex(md.digest())));
    return out;
  }

  /** The DIGESTS listing of {@code files}, by file name. */
  public static DigestsFile listing(List<Path> files) throws IOException {
    List<DigestsFile.Entry> entries = new ArrayList<>();
    for (Path f : files) {
      String name = f.getFileName().toString();
      for (Map.Entry<DigestsFile.Algorithm, String> e : of(f, WRITTEN).entrySet()) {
        entries.add(new DigestsFile.Entry(e.getKey(), e.getValue(), name));
      }
    }
    return new DigestsFile(entries);
  }
}
