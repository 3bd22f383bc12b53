package dev.cairn.signing.cli;

import dev.cairn.signing.files.FileAccess;
import java.io.IOException;
import java.nio.file.Path;

/** Passphrases come from the environment or a file, never from the command line. */
final class Passphrases {
  static final String ENV = "CAIRN_KEY_PASSPHRASE";

  private Passphrases() {}

  /** The passphrase from {@code file} (its first line) or {@code CAIRN_KEY_PASSPHRASE}; null if neither. */
  static char[] read(Path file) throws IOException {
    if (file != null) {
      String text = FileAccess.readUtf8(file);
      int nl = text.indexOf('\n');
      String line = nl < 0 ? text : text.substring(0, nl);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.isEmpty()) {
        throw new IllegalArgumentException(file + ": the passphrase file is empty");
      }
      return line.toCharArray();
    }
    String env = System.getenv(ENV);
    if (env != null && env.indexOf('\uFFFD') >= 0) {
      // The JVM decodes the environment in the locale's charset; in a C locale every byte above
      // 127 becomes U+FFFD, which would protect the key with a different, weaker passphrase.
      throw new IllegalArgumentException(ENV + " holds characters this process's locale ("
          + System.getProperty("sun.jnu.encoding") + ") cannot decode; run cairn in a UTF-8 locale "
          + "or give --passphrase-file");
    }
    return env == null || env.isEmpty() ? null : env.toCharArray();
  }
}
