package dev.cairn.signing.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Passphrases come from the environment or a file, never from the command line. */
final class Passphrases {
  static final String ENV = "CAIRN_KEY_PASSPHRASE";

  private Passphrases() {}

  /** The passphrase from {@code file} (its first line) or {@code CAIRN_KEY_PASSPHRASE}; null if neither. */
  static char[] read(Path file) throws IOException {
    if (file != null) {
      String text = Files.readString(file, StandardCharsets.UTF_8);
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
    return env == null || env.isEmpty() ? null : env.toCharArray();
  }
}
