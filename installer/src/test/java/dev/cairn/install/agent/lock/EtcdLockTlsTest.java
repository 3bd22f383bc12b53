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
 * LOCKSMITHD_ETCD_CAFILE}; refused without it; a bad CA file refused naming it; client
 * certificates ({@code LOCKSMITHD_ETCD_CERTFILE}/{@code KEYFILE}) against etcd requiring them.
 */
class EtcdLockTlsTest {
  @TempDir
  static Path pki;

  private static EtcdCluster etcd;
  private static EtcdCluster etcd2;

  @RegisterExtension
  static final EtcdCluster.PrintLogsOnFailure LOGS = new EtcdCluster.PrintLogsOnFailure(() -> etcd);

  @RegisterExtension
  static final EtcdCluster.PrintLogsOnFailure LOGS2 = new EtcdCluster.PrintLogsOnFailure(() -> etcd2);

  @BeforeAll
  static void startEtcd() throws IOException, InterruptedException {
    Pki.ca(pki, "ca");
    // clientAuth too: etcd's JSON gateway dials etcd's own gRPC port with the server's certificate,
    // which etcd requiring client certificates then checks as a client's.
    Pki.issue(pki, "ca", "server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
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

  /**
   * With etcd requiring client certificates ({@code --client-cert-auth}, the test CA trusted), a
   * lock presenting a certificate issued by that CA works, with its key in each PEM form: PKCS#8
   * (openssl's default), PKCS#1 RSA and SEC1 EC ({@code openssl ecparam -genkey}); without a
   * certificate etcd refuses the connection and the call fails.
   */
  @Test
  void clientCertificates_inEachKeyForm_areAccepted_andRequired() throws Exception {
    Pki.issue(pki, "ca", "client", "extendedKeyUsage=clientAuth\n");
    Pki.openssl(pki, "rsa", "-in", "client.key", "-traditional", "-out", "client-pkcs1.key");
    Pki.openssl(pki, "ecparam", "-genkey", "-name", "prime256v1", "-out", "ec.key");
    Pki.openssl(pki, "req", "-new", "-key", "ec.key", "-out", "ec.csr", "-subj", "/CN=ec");
    Pki.openssl(pki, "x509", "-req", "-in", "ec.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "ec.pem", "-days", "2", "-extfile", "client.ext");
    assertTrue(Files.readString(pki.resolve("client.key")).startsWith("-----BEGIN PRIVATE KEY-----"));
    assertTrue(Files.readString(pki.resolve("client-pkcs1.key")).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
    assertTrue(Files.readString(pki.resolve("ec.key")).contains("-----BEGIN EC PRIVATE KEY-----"));

    try (EtcdCluster mtls = EtcdCluster.start("EtcdLockTlsTest-mtls", 1, Optional.of(new EtcdCluster.Tls(
        pki.resolve("server.pem"), pki.resolve("server.key"), Optional.of(pki.resolve("ca.pem")))))) {
      etcd2 = mtls;
      int n = 0;
      for (String[] pair : List.of(new String[] {"client.pem", "client.key"},
          new String[] {"client.pem", "client-pkcs1.key"}, new String[] {"ec.pem", "ec.key"})) {
        EtcdLock l = EtcdLock.open(new EtcdLock.Options(List.of(mtls.tlsEndpoint(0)), Optional.of("mtls" + n++),
            Optional.of(pki.resolve("ca.pem")), Optional.of(pki.resolve(pair[0])), Optional.of(pki.resolve(pair[1])),
            Optional.empty(), Optional.empty(), Duration.ofSeconds(5)));
        assertEquals(new Outcome.Granted(false), l.lock("m1"), pair[1]);
        assertEquals("{\"semaphore\":0,\"max\":1,\"holders\":[\"m1\"]}",
            mtls.etcdctl("get", "--print-value-only", l.key()).strip());
      }
      EtcdLock anonymous = EtcdLock.open(new EtcdLock.Options(List.of(mtls.tlsEndpoint(0)), Optional.empty(),
          Optional.of(pki.resolve("ca.pem")), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
          Duration.ofMillis(1500)));
      IOException e = assertThrows(IOException.class, anonymous::status);
      assertTrue(e.getMessage().contains(mtls.tlsEndpoint(0).toString()), e.getMessage());
      assertEquals("", mtls.etcdctl("get", "--prefix", EtcdLock.KEY).strip());
    } finally {
      etcd2 = null;
    }
  }

  /** A key file that is not a private key, or an encrypted one, is refused naming the file. */
  @Test
  void badKeyFiles_areRefused_namingThem() throws Exception {
    Path cert = pki.resolve("server.pem");
    Path encrypted = pki.resolve("enc.key");
    Pki.openssl(pki, "pkcs8", "-topk8", "-in", "server.key", "-out", "enc.key", "-passout", "pass:x");
    for (Path key : List.of(cert, encrypted, pki.resolve("missing.key"))) {
      EtcdLock.Options o = new EtcdLock.Options(List.of(etcd.tlsEndpoint(0)), Optional.empty(), Optional.empty(),
          Optional.of(cert), Optional.of(key), Optional.empty(), Optional.empty(), Duration.ofSeconds(1));
      Exception e = assertThrows(Exception.class, () -> EtcdLock.open(o));
      assertTrue(e.getMessage().startsWith(key + ": "), e.getMessage());
    }
    Exception enc = assertThrows(IllegalArgumentException.class, () -> EtcdLock.open(new EtcdLock.Options(
        List.of(etcd.tlsEndpoint(0)), Optional.empty(), Optional.empty(), Optional.of(cert), Optional.of(encrypted),
        Optional.empty(), Optional.empty(), Duration.ofSeconds(1))));
    assertEquals(encrypted + ": an encrypted private key; an unencrypted one is expected", enc.getMessage());
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
