package dev.cairn.vms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.install.agent.run.PayloadFetch;
import dev.cairn.install.net.Http;
import dev.cairn.signing.Verdict;
import dev.cairn.signing.openpgp.OpenPgpReleaseKeys;
import dev.cairn.vms.ReleaseImage.Release;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's payload download against a real {@code cairn serve} that publishes a signed update
 * payload through {@code cairn admin}: size, SHA-1, SHA-256 and signature checked before the file
 * is used, a partial file continued with a range, a refused file deleted.
 */
class PayloadFetchTest {
  @TempDir static Path shared;
  @TempDir Path tmp;

  static ReleaseKey key;
  static ReleaseKey stranger;
  static Release release;
  static CairnServe serve;
  static Path data;
  static String url;
  static PayloadFetch.Expected expected;

  @BeforeAll
  static void publish() throws Exception {
    key = ReleaseKey.generate(shared.resolve("key"));
    stranger = ReleaseKey.generate(shared.resolve("stranger"), "Someone Else <else@example.invalid>");
    Path usr = Files.createDirectories(shared.resolve("usr-files"));
    byte[] noise = new byte[3 << 20];
    new Random(3).nextBytes(noise);
    Files.write(usr.resolve("noise.bin"), noise);
    release = ReleaseImage.of("2.0.0").usrFiles(usr).build(shared.resolve("2.0.0")).release(key);
    data = shared.resolve("cairn-data");
    int port = CairnServe.freePort();
    serve = CairnServe.start(data, port, shared.resolve("cairn-serve.log"));
    new ReleasePublisher(serve).upload(release);
    url = "http://127.0.0.1:" + port + "/packages/e96281a6-d1af-4bde-9a0a-97b76e56dc57/amd64-usr/2.0.0/"
        + release.update().getFileName();
    byte[] payload = Files.readAllBytes(release.update());
    expected = new PayloadFetch.Expected(payload.length,
        Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1").digest(payload)),
        Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(payload)));
  }

  @AfterAll
  static void stop() throws Exception {
    if (serve != null) {
      serve.close();
    }
    key.close();
    stranger.close();
  }

  private static Http http() {
    return new Http(new Http.Policy(Duration.ofSeconds(5), Duration.ofSeconds(10), 1, Duration.ofMillis(50)), m -> { });
  }

  private static Verdict.Verified fetch(Path file, PayloadFetch.Expected e, Path keyring) throws Exception {
    return PayloadFetch.fetch(http(), url, file, e, new OpenPgpReleaseKeys(), List.of(Files.readAllBytes(keyring)));
  }

  private static Path stored(String name) throws Exception {
    try (Stream<Path> s = Files.walk(data.resolve("packages"))) {
      return s.filter(p -> p.getFileName().toString().equals(name)).findFirst().orElseThrow();
    }
  }

  @Test
  void aSignedPayload_isFetchedAndProven() throws Exception {
    Path file = tmp.resolve("payload");
    Verdict.Verified v = fetch(file, expected, release.publicKey());
    assertEquals(key.fingerprint(), v.signer().primaryFingerprint());
    assertArrayEquals(Files.readAllBytes(release.update()), Files.readAllBytes(file));
  }

  @Test
  void aPartialFileFromAnEarlierRun_isContinued() throws Exception {
    byte[] payload = Files.readAllBytes(release.update());
    Path file = Files.write(tmp.resolve("payload"), Arrays.copyOf(payload, payload.length / 3));
    fetch(file, expected, release.publicKey());
    assertArrayEquals(payload, Files.readAllBytes(file));
  }

  @Test
  void aWrongSha256InTheResponse_isRefused_andTheFileDeleted() throws Exception {
    Path file = tmp.resolve("payload");
    PayloadFetch.Expected wrong = new PayloadFetch.Expected(expected.size(), null,
        Base64.getEncoder().encodeToString(new byte[32]));
    PayloadFetch.Refused e = assertThrows(PayloadFetch.Refused.class, () -> fetch(file, wrong, release.publicKey()));
    assertEquals(PayloadFetch.Problem.HASH, e.problem);
    assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
    assertFalse(Files.exists(file));
  }

  @Test
  void aSignatureByAnUntrustedKey_isRefused_beforeAnythingIsFetched() throws Exception {
    Path file = tmp.resolve("payload");
    PayloadFetch.Refused e = assertThrows(PayloadFetch.Refused.class,
        () -> fetch(file, expected, stranger.publicKey()));
    assertEquals(PayloadFetch.Problem.SIGNATURE, e.problem);
    assertFalse(Files.exists(file));
  }

  @Test
  void aTamperedPayload_failsItsHashes() throws Exception {
    Path p = stored(release.update().getFileName().toString());
    byte[] before = Files.readAllBytes(p);
    byte[] bad = before.clone();
    bad[bad.length / 2] ^= 1;
    Files.write(p, bad);
    try {
      PayloadFetch.Refused e = assertThrows(PayloadFetch.Refused.class,
          () -> fetch(tmp.resolve("payload"), expected, release.publicKey()));
      assertEquals(PayloadFetch.Problem.HASH, e.problem);
    } finally {
      Files.write(p, before);
    }
  }

  @Test
  void aTruncatedPayload_failsItsSize() throws Exception {
    Path p = stored(release.update().getFileName().toString());
    byte[] before = Files.readAllBytes(p);
    Files.write(p, Arrays.copyOf(before, before.length / 2));
    try {
      PayloadFetch.Refused e = assertThrows(PayloadFetch.Refused.class,
          () -> fetch(tmp.resolve("payload"), expected, release.publicKey()));
      assertEquals(PayloadFetch.Problem.SIZE, e.problem, e.getMessage());
    } finally {
      Files.write(p, before);
    }
  }

  @Test
  void aMissingSignature_isRefused() throws Exception {
    Path sig = stored(release.update().getFileName() + ".sig");
    byte[] before = Files.readAllBytes(sig);
    Files.delete(sig);
    try {
      PayloadFetch.Refused e = assertThrows(PayloadFetch.Refused.class,
          () -> fetch(tmp.resolve("payload"), expected, release.publicKey()));
      assertEquals(PayloadFetch.Problem.SIGNATURE, e.problem);
      assertTrue(e.getMessage().contains("no signature beside the payload"), e.getMessage());
    } finally {
      Files.write(sig, before);
    }
  }
}
