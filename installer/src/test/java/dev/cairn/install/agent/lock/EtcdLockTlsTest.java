package dev.cairn.install.agent.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.install.agent.lock.RebootLock.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EtcdLock} over {@code https://} against a real etcd serving a certificate issued by a CA
 * made with {@code openssl} for the test: trusted through the CA file, as locksmith's {@code
 * LOCKSMITHD_ETCD_CAFILE}; refused without it; a bad CA file refused naming it.
 */
class EtcdLockTlsTest {
  @TempDir
  static Path pki;

  private static EtcdCluster etcd;

  @RegisterExtension
  static final EtcdCluster.PrintLogsOnFailure LOGS = new EtcdCluster.PrintLogsOnFailure(() -> etcd);

  @BeforeAll
  static void startEtcd() throws IOException, InterruptedException {
    Pki.ca(pki, "ca");
    Pki.issue(pki, "ca", "server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    etcd = EtcdCluster.start("EtcdLockTlsTest", 1,
        Optional.of(new EtcdCluster.Tls(pki.resolve("server.pem"), pki.resolve("server.key"), Optional.empty())));
  }

  @AfterAll
  static void stopEtcd() {
    if (etcd != null) {
      etcd.close();
    }
  }

  private static EtcdLock.Options options(Optional<Path> ca) {
    return new EtcdLock.Options(List.of(etcd.tlsEndpoint(0)), Optional.of("tls"), ca, Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofSeconds(2));
  }

  /** Trusting the CA that issued etcd's certificate, the lock works, and etcdctl reads what it wrote. */
  @Test
  void httpsEndpoint_trustedThroughTheCaFile() throws IOException {
    EtcdLock l = EtcdLock.open(options(Optional.of(pki.resolve("ca.pem"))));
    assertEquals(new Outcome.Granted(false), l.lock("m1"));
    assertEquals("{\"semaphore\":0,\"max\":1,\"holders\":[\"m1\"]}",
        etcd.etcdctl("get", "--print-value-only", l.key()).strip());
    assertTrue(l.unlock("m1"));
  }

  /** Without the CA file the JDK's trust store does not know etcd's issuer: the call fails, saying why. */
  @Test
  void httpsEndpoint_withoutTheCaFile_isRefused() throws IOException {
    EtcdLock l = EtcdLock.open(options(Optional.empty()));
    IOException e = assertThrows(IOException.class, l::status);
    assertTrue(e.getMessage().startsWith(l.describe() + ": TLS failed with every endpoint; last: "
        + etcd.tlsEndpoint(0) + ": SSLHandshakeException"), e.getMessage());
  }

  @Test
  void caFile_missingOrNotPem_isRefused_namingIt() throws IOException {
    Path missing = pki.resolve("none.pem");
    assertEquals(missing + ": no such CA file",
        assertThrows(IOException.class, () -> EtcdLock.open(options(Optional.of(missing)))).getMessage());
    Path notPem = Files.writeString(pki.resolve("not.pem"), "hello\n");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> EtcdLock.open(options(Optional.of(notPem))))
        .getMessage().startsWith(notPem + ": "));
  }

  /** A certificate authority and certificates issued by it, made with openssl. */
  static final class Pki {
    private Pki() {}

    /** {@code <name>.key} and a self-signed {@code <name>.pem} in {@code dir}. */
    static void ca(Path dir, String name) throws IOException, InterruptedException {
      openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".pem",
          "-days", "2", "-subj", "/CN=cairn-test-" + name);
    }

    /** {@code <name>.key} and {@code <name>.pem} issued by {@code ca}, with the extensions given (openssl's extfile lines). */
    static void issue(Path dir, String ca, String name, String extensions) throws IOException, InterruptedException {
      Files.writeString(dir.resolve(name + ".ext"), extensions);
      openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
          "-subj", "/CN=" + name);
      openssl(dir, "x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
          "-CAcreateserial", "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext");
    }

    static void openssl(Path dir, String... args) throws IOException, InterruptedException {
      List<String> cmd = new ArrayList<>(List.of("openssl"));
      cmd.addAll(List.of(args));
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IOException(String.join(" ", cmd) + ": " + out);
      }
    }
  }
}
