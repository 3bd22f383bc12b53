package dev.cairn.install.agent.run;

import dev.cairn.install.net.Http;
import dev.cairn.install.net.ResumingDownload;
import dev.cairn.signing.ReleaseKeys;
import dev.cairn.signing.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;

/**
 * Fetches an update payload into a file and proves it before anything uses it: its size, the
 * SHA-1 and SHA-256 the Omaha response gave (base64, as update_engine reads them), and its
 * detached OpenPGP signature ({@code NAME.sig} beside it) by a trusted key. A file that an earlier
 * run left part-way is continued from its end with an HTTP range, not fetched again; a file that
 * fails a check is deleted, so the next attempt starts clean.
 */
public final class PayloadFetch {
  private PayloadFetch() {}

  /** What the Omaha response promised about the payload; a null hash is not checked. */
  public record Expected(long size, String sha1Base64, String sha256Base64) {}

  /** Why a payload was refused, in update_engine's terms. */
  public enum Problem { TRANSFER, SIZE, HASH, SIGNATURE }

  /** A refused payload: what went wrong, and one line about it. */
  public static final class Refused extends IOException {
    public final Problem problem;

    Refused(Problem problem, String message, Throwable cause) {
      super(message, cause);
      this.problem = problem;
    }
  }

  /**
   * Fetches {@code url} into {@code file} (continuing a partial one), then checks it; returns the
   * signer's verdict.
   */
  public static Verdict.Verified fetch(Http http, String url, Path file, Expected expected, ReleaseKeys keys,
      List<byte[]> keyring) throws IOException {
    byte[] signature;
    try {
      signature = http.get(url + ".sig", 64 << 10);
    } catch (Http.Fatal e) {
      throw new Refused(Problem.SIGNATURE, url + ".sig: " + (e.notFound() ? "no signature beside the payload" : e.getMessage())
          + "; Cairn installs only signed payloads", e);
    } catch (IOException e) {
      throw new Refused(Problem.TRANSFER, e.getMessage(), e);
    }
    ReleaseKeys.Check check = keys.check(keyring, signature);
    if (check.signer().rejected().isPresent()) {
      throw new Refused(Problem.SIGNATURE, url + ".sig: " + check.signer().rejected().get().message(), null);
    }
    long have = Files.exists(file) ? Files.size(file) : 0;
    if (have > expected.size()) {
      Files.delete(file);
      have = 0;
    }
    if (have < expected.size()) {
      try (ResumingDownload in = http.download(url, have);
           OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
        byte[] buf = new byte[1 << 20];
        long pos = have;
        int n;
        while ((n = in.read(buf)) > 0) {
          pos += n;
          if (pos > expected.size()) {
            throw new Refused(Problem.SIZE, url + ": more than the " + expected.size() + " bytes the response gave", null);
          }
          out.write(buf, 0, n);
        }
      } catch (Refused e) {
        Files.deleteIfExists(file);
        throw e;
      } catch (IOException e) {
        throw new Refused(Problem.TRANSFER, e.getMessage(), e);
      }
    }
    long size = Files.size(file);
    if (size != expected.size()) {
      Files.deleteIfExists(file);
      throw new Refused(Problem.SIZE, url + ": " + size + " bytes, the response gave " + expected.size(), null);
    }
    MessageDigest sha1 = digest("SHA-1");
    MessageDigest sha256 = digest("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 20];
      int n;
      while ((n = in.read(buf)) > 0) {
        sha1.update(buf, 0, n);
        sha256.update(buf, 0, n);
        check.update(buf, 0, n);
      }
    }
    String got256 = Base64.getEncoder().encodeToString(sha256.digest());
    String got1 = Base64.getEncoder().encodeToString(sha1.digest());
    if (expected.sha256Base64() != null && !expected.sha256Base64().equals(got256)) {
      Files.deleteIfExists(file);
      throw new Refused(Problem.HASH, url + ": SHA-256 " + got256 + ", the response gave " + expected.sha256Base64(), null);
    }
    if (expected.sha1Base64() != null && !expected.sha1Base64().equals(got1)) {
      Files.deleteIfExists(file);
      throw new Refused(Problem.HASH, url + ": SHA-1 " + got1 + ", the response gave " + expected.sha1Base64(), null);
    }
    Verdict v = check.conclude();
    if (!(v instanceof Verdict.Verified verified)) {
      Files.deleteIfExists(file);
      throw new Refused(Problem.SIGNATURE, url + ".sig: " + v.message(), null);
    }
    return verified;
  }

  private static MessageDigest digest(String name) {
    try {
      return MessageDigest.getInstance(name);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
