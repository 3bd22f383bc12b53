package dev.cairn.vms;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A throw-away OpenPGP release key made by gpg: an Ed25519 signing key without a passphrase, in a
 * gpg home of its own (a fresh private folder under {@code java.io.tmpdir}, so the agent's socket
 * path stays short), its public key exported armored, and detached binary signatures made with
 * it, as a release is signed. {@link #close()} stops the agent and deletes the home with the secret
 * key; the public key file and the signatures stay.
 */
public final class ReleaseKey implements AutoCloseable {
  /** The user id of {@link #generate(Path)}'s key. */
  public static final String DEFAULT_USER_ID = "Cairn Test Release <release@example.com>";

  private final Path home;
  private final String userId;
  private final String fingerprint;
  private final Path publicKey;

  private ReleaseKey(Path home, String userId, String fingerprint, Path publicKey) {
    this.home = home;
    this.userId = userId;
    this.fingerprint = fingerprint;
    this.publicKey = publicKey;
  }

  /** A new key with {@link #DEFAULT_USER_ID}; its public key in {@code dir/release.pub.asc}. */
  public static ReleaseKey generate(Path dir) throws IOException {
    return generate(dir, DEFAULT_USER_ID);
  }

  /**
   * A new Ed25519 signing key for {@code userId} ({@code gpg --quick-gen-key USERID ed25519 sign
   * never}); its public key exported armored to {@code dir/release.pub.asc}, the file a verifier
   * (the installer's {@code -k}, {@code cairn admin key add}, {@code gpg --import}) takes.
   */
  public static ReleaseKey generate(Path dir, String userId) throws IOException {
    if (userId == null || userId.isBlank() || userId.contains("\n")) {
      throw new IllegalArgumentException("key user id must be one line, like Name <mail@example.com>, got " + userId);
    }
    Files.createDirectories(dir);
    Path home = Files.createTempDirectory("cairn-gpg-", PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
    try {
      gpg(home, "--passphrase", "", "--quick-gen-key", userId, "ed25519", "sign", "never");
      String fingerprint = primaryFingerprint(gpg(home, "--with-colons", "--list-keys", "=" + userId), userId);
      Path publicKey = dir.resolve("release.pub.asc");
      gpg(home, "--yes", "--armor", "--output", publicKey.toString(), "--export", fingerprint);
      return new ReleaseKey(home, userId, fingerprint, publicKey);
    } catch (IOException | RuntimeException e) {
      stopAndDelete(home);
      throw e;
    }
  }

  /** The armored public key file. */
  public Path publicKey() {
    return publicKey;
  }

  /** The primary key's fingerprint: 40 upper-case hex digits, as gpg and {@code cairn admin key list} print it. */
  public String fingerprint() {
    return fingerprint;
  }

  public String userId() {
    return userId;
  }

  /** A detached binary signature of {@code file} in {@code FILE.sig} (replaced if there). */
  public Path sign(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": no such file to sign");
    }
    Path sig = file.resolveSibling(file.getFileName() + ".sig");
    gpg(home, "--yes", "--local-user", fingerprint, "--output", sig.toString(), "--detach-sign", file.toString());
    return sig;
  }

  /** Stops the gpg agent of the key's home and deletes the home with the secret key. */
  @Override
  public void close() throws IOException {
    stopAndDelete(home);
  }

  private static String gpg(Path home, String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of("--batch", "--no-tty"));
    all.addAll(List.of(args));
    return Tool.GPG.run(Map.of("GNUPGHOME", home.toString()), all);
  }

  /** The {@code fpr} record after the {@code pub} record in {@code gpg --with-colons --list-keys}. */
  static String primaryFingerprint(String colons, String who) {
    boolean afterPub = false;
    for (String line : colons.lines().toList()) {
      String[] f = line.split(":", -1);
      if (f[0].equals("pub")) {
        afterPub = true;
      } else if (f[0].equals("fpr") && afterPub && f.length > 9) {
        return f[9];
      }
    }
    throw new IllegalStateException("gpg listed no fingerprint for " + who + ":\n" + colons);
  }

  private static void stopAndDelete(Path home) throws IOException {
    try {
      Tool.GPGCONF.run(Map.of("GNUPGHOME", home.toString()), List.of("--kill", "all"));
    } finally {
      try (Stream<Path> files = Files.walk(home)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
