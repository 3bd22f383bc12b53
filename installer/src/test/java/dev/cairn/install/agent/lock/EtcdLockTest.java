package dev.cairn.install.agent.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.install.agent.lock.RebootLock.Outcome;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link EtcdLock} against a real single-node etcd. Every value Cairn writes is read back with
 * {@code etcdctl}, and values written by {@code etcdctl} in locksmith's form are read by Cairn.
 * Each test uses a group of its own (its own key), except the one checking locksmith's plain key.
 */
class EtcdLockTest {
  private static EtcdCluster etcd;
  private static final AtomicInteger GROUPS = new AtomicInteger();

  @RegisterExtension
  static final EtcdCluster.PrintLogsOnFailure LOGS = new EtcdCluster.PrintLogsOnFailure(() -> etcd);

  @BeforeAll
  static void startEtcd() throws IOException {
    etcd = EtcdCluster.start("EtcdLockTest", 1);
  }

  @AfterAll
  static void stopEtcd() {
    if (etcd != null) {
      etcd.close();
    }
  }

  private static EtcdLock lock(String group) throws IOException {
    return EtcdLock.open(EtcdLock.Options.of(etcd.endpoints()).withGroup(group));
  }

  private static String newGroup() {
    return "g" + GROUPS.incrementAndGet();
  }

  private static String stored(String key) throws IOException {
    return etcd.etcdctl("get", "--print-value-only", key).strip();
  }

  /**
   * Without a group the key is locksmith's own; the first lock creates it as locksmith does (a
   * fresh semaphore with max 1, seen as the first version by etcdctl) and then takes the slot.
   */
  @Test
  void firstLock_createsLocksmithsKeyWithMax1_thenTakesTheSlot() throws IOException {
    EtcdLock l = EtcdLock.open(EtcdLock.Options.of(etcd.endpoints()));
    assertEquals("coreos.com/updateengine/rebootlock/semaphore", l.key());
    assertEquals(new Outcome.Granted(false), l.lock("m1"));
    List<EtcdCluster.Version> h = etcd.history(EtcdLock.KEY);
    assertEquals(List.of(Optional.of("{\"semaphore\":1,\"max\":1,\"holders\":[]}"),
        Optional.of("{\"semaphore\":0,\"max\":1,\"holders\":[\"m1\"]}")), h.stream().map(EtcdCluster.Version::value).toList());
    assertTrue(l.unlock("m1"));
    assertEquals("{\"semaphore\":1,\"max\":1,\"holders\":[]}", stored(EtcdLock.KEY));
  }

  /** With max 1 a second machine is refused, and the reason names the holder; the holder asking again is granted. */
  @Test
  void secondMachine_isRefused_namingTheHolders() throws IOException {
    EtcdLock l = lock(newGroup());
    assertEquals(new Outcome.Granted(false), l.lock("m1"));
    Outcome o = l.lock("m2");
    Outcome.Refused r = assertInstanceOf(Outcome.Refused.class, o);
    assertTrue(r.why().contains("max 1, held by m1"), r.why());
    assertEquals(new Outcome.Granted(true), l.lock("m1"));
    assertEquals(new Semaphore(0, 1, List.of("m1")), l.status());
  }

  /** Unlock frees the slot for the next machine; a machine holding nothing gets false and changes nothing. */
  @Test
  void unlock_freesTheSlot_andANonHoldersUnlockIsFalse() throws IOException {
    String g = newGroup();
    EtcdLock l = lock(g);
    assertEquals(new Outcome.Granted(false), l.lock("m1"));
    String before = stored(l.key());
    assertFalse(l.unlock("m2"));
    assertEquals(before, stored(l.key()));
    assertTrue(l.unlock("m1"));
    assertFalse(l.unlock("m1"));
    assertEquals(new Outcome.Granted(false), l.lock("m2"));
    assertEquals("{\"semaphore\":0,\"max\":1,\"holders\":[\"m2\"]}", stored(l.key()));
  }

  /** status of a missing key is a fresh semaphore and creates nothing; setMax creates the key, returning the value before. */
  @Test
  void status_ofAMissingKey_createsNothing_andSetMaxCreatesIt() throws IOException {
    EtcdLock l = lock(newGroup());
    assertEquals(Semaphore.fresh(1), l.status());
    assertEquals("", etcd.etcdctl("get", "--prefix", l.key()).strip());
    assertEquals(Semaphore.fresh(1), l.setMax(3));
    assertEquals("{\"semaphore\":3,\"max\":3,\"holders\":[]}", stored(l.key()));
    assertEquals(new Outcome.Granted(false), l.lock("a"));
    assertEquals(new Outcome.Granted(false), l.lock("b"));
    assertEquals(new Semaphore(1, 3, List.of("a", "b")), l.setMax(1));
    assertEquals("{\"semaphore\":-1,\"max\":1,\"holders\":[\"a\",\"b\"]}", stored(l.key()));
    assertInstanceOf(Outcome.Refused.class, l.lock("c"));
    assertThrows(IllegalArgumentException.class, () -> l.setMax(-1));
    assertEquals("{\"semaphore\":-1,\"max\":1,\"holders\":[\"a\",\"b\"]}", stored(l.key()));
  }

  /** The group is escaped as Go's url.QueryEscape: checked by listing the keys with etcdctl. */
  @Test
  void groupKey_isEscapedAsGoQueryEscape() throws IOException {
    String group = "web servers/eu+ü~-_." + GROUPS.incrementAndGet();
    EtcdLock l = lock(group);
    assertEquals(new Outcome.Granted(false), l.lock("m1"));
    String expected = "coreos.com/updateengine/rebootlock/groups/web+servers%2Feu%2B%C3%BC~-_." + GROUPS.get() + "/semaphore";
    List<String> keys = etcd.etcdctl("get", "--prefix", "--keys-only", "coreos.com/updateengine/rebootlock/groups/web")
        .lines().filter(s -> !s.isBlank()).toList();
    assertEquals(List.of(expected), keys);
    assertTrue(l.describe().endsWith(" key " + expected), l.describe());
  }

  /** A semaphore as locksmith stored it (holders null, max 2), put by etcdctl, is used as it is. */
  @Test
  void locksmithsOwnValue_isUsed() throws IOException {
    EtcdLock l = lock(newGroup());
    etcd.etcdctl("put", l.key(), "{\"semaphore\":2,\"max\":2,\"holders\":null}");
    assertEquals(Semaphore.fresh(2), l.status());
    assertEquals(new Outcome.Granted(false), l.lock("m1"));
    assertEquals("{\"semaphore\":1,\"max\":2,\"holders\":[\"m1\"]}", stored(l.key()));
  }

  /** A value that is not locksmith's is an IOException naming the key and the fault, and is left as it was. */
  @Test
  void aValueNotLocksmiths_isAnIOException_andLeftAlone() throws IOException {
    EtcdLock l = lock(newGroup());
    etcd.etcdctl("put", l.key(), "{\"semaphore\":1}");
    IOException e = assertThrows(IOException.class, () -> l.lock("m1"));
    assertTrue(e.getMessage().contains(l.key()) && e.getMessage().contains("\"max\" is missing"), e.getMessage());
    assertEquals("{\"semaphore\":1}", stored(l.key()));
  }

  /** A list whose first endpoint has nothing listening still works, through the second. */
  @Test
  void firstEndpointDead_theNextIsUsed() throws IOException {
    URI dead = deadEndpoint();
    EtcdLock l = EtcdLock.open(EtcdLock.Options.of(List.of(dead, etcd.endpoint(0))).withGroup(newGroup()));
    assertEquals(new Outcome.Granted(false), l.lock("m1"));
    assertEquals(new Semaphore(0, 1, List.of("m1")), l.status());
  }

  /**
   * With every endpoint dead the call fails after its deadline with an IOException naming each
   * endpoint; a later call on the same lock (its rotation well past the list's end) tries them all
   * again.
   */
  @Test
  void everyEndpointDead_isAnIOException_namingThem() throws IOException {
    URI a = deadEndpoint();
    URI b = deadEndpoint();
    URI c = deadEndpoint();
    EtcdLock l = EtcdLock.open(EtcdLock.Options.of(List.of(a, b, c)).withDeadline(Duration.ofMillis(1000)));
    for (int call = 0; call < 2; call++) {
      long start = System.nanoTime();
      IOException e = assertThrows(IOException.class, () -> l.lock("m1"));
      long took = (System.nanoTime() - start) / 1_000_000;
      assertTrue(e.getMessage().startsWith("etcd unreachable within 1000 ms (key " + EtcdLock.KEY + "), tried ")
          && e.getMessage().contains("; last error: "), e.getMessage());
      String tried = e.getMessage().replaceAll(".*, tried ([^;]*);.*", "$1");
      assertEquals(java.util.Set.of(a.toString(), b.toString(), c.toString()), java.util.Set.of(tried.split(",")), "call " + call);
      assertTrue(took >= 1000 && took < 15_000, "took " + took + " ms");
    }
  }

  @Test
  void badOptions_areRefused_namingTheValue() {
    assertEquals("etcd endpoint 'ftp://127.0.0.1:2379' must be an http:// or https:// URL",
        assertThrows(IllegalArgumentException.class,
            () -> EtcdLock.open(EtcdLock.Options.of(List.of(URI.create("ftp://127.0.0.1:2379"))))).getMessage());
    assertEquals("etcd endpoint 'http://127.0.0.1:2379/v3' must be scheme://host:port with no path",
        assertThrows(IllegalArgumentException.class,
            () -> EtcdLock.open(EtcdLock.Options.of(EtcdLock.endpoints("http://127.0.0.1:2379/v3")))).getMessage());
    assertEquals(List.of(URI.create("http://a:1"), URI.create("https://b:2/")), EtcdLock.endpoints("http://a:1, https://b:2/"));
    EtcdLock.Options certWithoutKey = new EtcdLock.Options(List.of(URI.create("https://a:2379")), Optional.empty(),
        Optional.empty(), Optional.of(Path.of("c.pem")), Optional.empty(),
        Optional.empty(), Optional.empty(), Duration.ofSeconds(1));
    assertEquals("etcd client certificate and key go together, got only the certificate c.pem",
        assertThrows(IllegalArgumentException.class, () -> EtcdLock.open(certWithoutKey)).getMessage());
    assertEquals("etcd username and password go together, got only the username",
        assertThrows(IllegalArgumentException.class, () -> EtcdLock.open(new EtcdLock.Options(List.of(URI.create("http://a:1")),
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.of("root"), Optional.empty(),
            Duration.ofSeconds(1)))).getMessage());
    assertThrows(IllegalArgumentException.class, () -> EtcdLock.open(EtcdLock.Options.of(List.of(URI.create("http://a:1")))).lock("a b"));
  }

  /**
   * With etcd's auth enabled (root user, set with etcdctl) a lock without credentials is an
   * IOException carrying etcd's refusal; with the password it works, and a token etcd no longer
   * knows (after a restart of the member) is replaced by authenticating again.
   */
  @Test
  void usernameAndPassword_againstEtcdWithAuth() throws IOException, InterruptedException {
    try (EtcdCluster secured = EtcdCluster.start("EtcdLockTest-auth", 1)) {
      secured.etcdctl("user", "add", "root:pw");
      secured.etcdctl("auth", "enable");
      secured.useCredentials("root", "pw");
      EtcdLock.Options plain = EtcdLock.Options.of(secured.endpoints()).withDeadline(Duration.ofSeconds(5));
      IOException refused = assertThrows(IOException.class, () -> EtcdLock.open(plain).lock("m1"));
      assertTrue(refused.getMessage().contains("user name is empty"), refused.getMessage());
      IOException wrong = assertThrows(IOException.class, () -> EtcdLock.open(plain.withAuth("root", "nope")).lock("m1"));
      assertTrue(wrong.getMessage().startsWith("etcd authentication as 'root' failed"), wrong.getMessage());

      EtcdLock l = EtcdLock.open(plain.withAuth("root", "pw"));
      assertEquals(new Outcome.Granted(false), l.lock("m1"));
      assertEquals("{\"semaphore\":0,\"max\":1,\"holders\":[\"m1\"]}",
          secured.etcdctl("get", "--print-value-only", EtcdLock.KEY).strip());
      secured.kill(0);
      secured.start(0);
      assertTrue(l.unlock("m1"));
      assertEquals("{\"semaphore\":1,\"max\":1,\"holders\":[]}",
          secured.etcdctl("get", "--print-value-only", EtcdLock.KEY).strip());
    }
  }

  private static URI deadEndpoint() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return URI.create("http://127.0.0.1:" + s.getLocalPort());
    }
  }
}
