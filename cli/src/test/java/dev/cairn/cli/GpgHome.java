package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.cli.CliHarness.Result;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A throw-away gpg home (mode 0700, handed to gpg as GNUPGHOME) and gpg run in it in batch mode,
 * plus the gpg-made test keys under {@code testdata/gpg}. Closing it stops the agent gpg started
 * for the home.
 */
final class GpgHome implements AutoCloseable {
  /** gpg's numbers for the hash algorithms in a VALIDSIG status line (RFC 4880 9.4). */
  static final Map<String, String> HASH_IDS = Map.of("SHA-256", "8", "SHA-512", "10");

  final Path dir;
  private final Map<String, String> env;

  private GpgHome(Path dir) {
    this.dir = dir;
    this.env = Map.of("GNUPGHOME", dir.toString());
  }

  /** Makes {@code parent/gnupg} with mode 0700, as gpg wants its home. */
  static GpgHome in(Path parent) throws IOException {
    Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rwx------");
    Path dir = Files.createDirectory(parent.resolve("gnupg"), PosixFilePermissions.asFileAttribute(owner));
    Files.setPosixFilePermissions(dir, owner);   // whatever the umask
    assertEquals(owner, Files.getPosixFilePermissions(dir), "GNUPGHOME must be private");
    return new GpgHome(dir);
  }

  /** A checked-in gpg-made key file, such as {@code ed25519.pub.asc}. */
  static Path testKey(String file) {
    URL url = GpgHome.class.getResource("/testdata/gpg/" + file);
    if (url == null) {
      return fail("no test key testdata/gpg/" + file);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs {@code gpg --batch ARGS} in this home. */
  Result gpg(String... args) {
    return gpgWithInput(null, args);
  }

  /** Runs {@code gpg --batch ARGS} in this home with {@code stdin} on its standard input. */
  Result gpgWithInput(byte[] stdin, String... args) {
    List<String> all = new ArrayList<>(List.of("--batch", "--no-tty"));
    all.addAll(Arrays.asList(args));
    return CliHarness.peer(env, stdin, "gpg", all.toArray(String[]::new));
  }

  /** Runs gpg and fails unless it exits 0. */
  Result gpgOk(String... args) {
    return gpg(args).ok();
  }

  /** Imports key files (public or unprotected secret). */
  void importKeys(Path... files) {
    List<String> args = new ArrayList<>(List.of("--import"));
    for (Path f : files) {
      args.add(f.toString());
    }
    gpgOk(args.toArray(String[]::new));
  }

  /** The primary key's fingerprint and those of its subkeys, as gpg lists them. */
  record Fingerprints(String primary, List<String> subkeys) {}

  /** Fingerprints of the one key {@code who} (a user id or fingerprint) names in the keyring. */
  Fingerprints fingerprints(String who) {
    Result r = gpgOk("--with-colons", "--with-subkey-fingerprints", "--list-keys", who);
    String primary = null;
    List<String> subs = new ArrayList<>();
    String last = null;
    for (String line : r.out().lines().toList()) {
      String[] f = line.split(":", -1);
      if (f[0].equals("pub") || f[0].equals("sub")) {
        last = f[0];
      } else if (f[0].equals("fpr") && last != null) {
        if (last.equals("pub")) {
          assertTrue(primary == null, r.describe("expected one key for " + who));
          primary = f[9];
        } else {
          subs.add(f[9]);
        }
        last = null;
      }
    }
    if (primary == null) {
      fail(r.describe("no primary key fingerprint for " + who));
    }
    return new Fingerprints(primary, List.copyOf(subs));
  }

  /** {@code gpg --verify SIG DATA} with machine-readable status on stdout. */
  Result verify(Path signature, Path data) {
    return gpg("--status-fd", "1", "--verify", signature.toString(), data.toString());
  }

  /** {@code gpg --verify SIGNED} of a clearsigned file, with machine-readable status on stdout. */
  Result verifyClearsigned(Path signed) {
    return gpg("--status-fd", "1", "--verify", signed.toString());
  }

  /**
   * The fields of the {@code [GNUPG:] VALIDSIG} status line: 0 the signing key's fingerprint,
   * 7 the hash algorithm, 9 the primary key's fingerprint. Fails when there is none.
   */
  static String[] validSig(Result verify) {
    for (String line : verify.out().lines().toList()) {
      if (line.startsWith("[GNUPG:] VALIDSIG ")) {
        return line.substring("[GNUPG:] VALIDSIG ".length()).split(" ");
      }
    }
    return fail(verify.describe("no VALIDSIG status line"));
  }

  /** Asserts that gpg accepted the signature: exit 0, "Good signature", and a VALIDSIG line. */
  static String[] assertGood(Result verify) {
    assertEquals(0, verify.code(), () -> verify.describe("expected gpg to accept the signature"));
    assertTrue(verify.err().contains("Good signature"), () -> verify.describe("expected 'Good signature'"));
    return validSig(verify);
  }

  /** Stops the gpg-agent gpg started for this home. */
  @Override
  public void close() {
    CliHarness.peer(env, null, "gpgconf", "--kill", "all");
  }
}
