package dev.cairn.omaha.cli;

import dev.cairn.omaha.files.OwnerOnly;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The admin token file of {@code cairn serve}: created with 256 random bits on first start, and
 * checked on every start. A token that is empty, guessable or readable by others stops the server
 * with a one-line reason and the command that fixes it; no start ever leaves the admin API open.
 */
final class AdminTokenFile {
  /** The least a token must carry, in bits, as estimated by {@link #estimatedBits}. */
  static final int MIN_BITS = 128;

  private AdminTokenFile() {}

  /** The token and whether this start created it. */
  record Token(String value, boolean created) {}

  /** Creates the file (0600, 64 hex characters) unless it exists, then reads and checks it. */
  static Token ensure(Path file) throws IOException {
    boolean created = false;
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      byte[] raw = new byte[32];
      new SecureRandom().nextBytes(raw);
      try (var ch = Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
          PosixFilePermissions.asFileAttribute(OwnerOnly.FILE))) {
        ch.write(ByteBuffer.wrap((HexFormat.of().formatHex(raw) + "\n").getBytes(StandardCharsets.US_ASCII)));
      }
      created = true;
    }
    return new Token(read(file), created);
  }

  /**
   * The token in {@code file}, after checking it.
   *
   * @throws IllegalArgumentException naming the file, what is wrong and how to fix it
   */
  static String read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("admin token " + file + " is not a regular file");
    }
    if (OwnerOnly.openToOthers(file)) {
      throw new IllegalArgumentException("admin token " + file + " is readable by group or others (mode "
          + PosixFilePermissions.toString(Files.getPosixFilePermissions(file)) + "); fix with: chmod 600 " + file);
    }
    if (Files.size(file) > 4096) {
      throw new IllegalArgumentException("admin token " + file + " is over 4096 bytes; expected one line with the token");
    }
    String token = Files.readString(file, StandardCharsets.UTF_8).strip();
    String fix = "; fix with: rm " + file + " (a new 256-bit token is written at the next start)";
    if (token.isEmpty()) {
      throw new IllegalArgumentException("admin token " + file + " is empty" + fix);
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c <= ' ' || c >= 0x7f) {
        throw new IllegalArgumentException("admin token " + file + " holds a space, control or non-ASCII character"
            + " at position " + (i + 1) + "; expected one line of printable ASCII" + fix);
      }
    }
    int bits = estimatedBits(token);
    if (bits < MIN_BITS) {
      throw new IllegalArgumentException("admin token " + file + " is too short: about " + bits + " bits in "
          + token.length() + " characters, at least " + MIN_BITS + " needed (32 hex characters)" + fix);
    }
    return token;
  }

  /**
   * How many bits a random token of this length and alphabet carries: 4 per character for hex,
   * 6 for letters, digits and the base64 signs, 6.5 for any printable ASCII. A token of repeated
   * characters is counted as what it is.
   */
  static int estimatedBits(String token) {
    boolean hex = token.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
    boolean base64 = token.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '+' || c == '/' || c == '-'
        || c == '_' || c == '=');
    double perChar = hex ? 4 : base64 ? 6 : 6.5;
    if (token.chars().distinct().count() < 3) {
      return 0;    // aaaa..., abab...: a pattern, not a secret
    }
    String significant = base64 && !hex ? token.replaceAll("=+$", "") : token;
    return (int) Math.floor(significant.length() * perChar);
  }
}
