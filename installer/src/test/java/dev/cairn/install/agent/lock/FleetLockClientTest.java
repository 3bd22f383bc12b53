package dev.cairn.install.agent.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.install.agent.omaha.OmahaClientTest.RealServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's FleetLock client against the real update server (the one {@code cairn serve} runs,
 * on loopback): a slot taken, asked again, refused with the server's own words, given back; an
 * unknown group refused with its hint; a server out of reach and bad URLs as errors.
 */
class FleetLockClientTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @TempDir Path dir;

  @Test
  void takeRefuseGiveBack_againstTheRealServer() throws Exception {
    try (RealServer s = RealServer.start(dir)) {
      FleetLockClient a = new FleetLockClient(s.base().toString(), "stable", TIMEOUT);
      assertEquals(new RebootLock.Outcome.Granted(false), a.lock("aaaa"));
      assertEquals(new RebootLock.Outcome.Granted(false), a.lock("aaaa"), "asking again while holding is a yes");

      RebootLock.Outcome refused = a.lock("bbbb");
      assertTrue(refused instanceof RebootLock.Outcome.Refused r
          && r.why().startsWith("failed_lock: every reboot slot of group stable is taken: 1 of 1 slots, held by aaaa"),
          refused.toString());

      assertTrue(a.unlock("aaaa"));
      assertTrue(a.unlock("aaaa"), "giving back a slot not held is done too");
      assertEquals(new RebootLock.Outcome.Granted(false), a.lock("bbbb"));
      assertEquals("FleetLock " + s.base() + " group stable", a.describe());
    }
  }

  @Test
  void anUnknownGroup_isRefusedWithTheServersHint() throws Exception {
    try (RealServer s = RealServer.start(dir)) {
      RebootLock.Outcome o = new FleetLockClient(s.base() + "/", "web", TIMEOUT).lock("aaaa");
      assertTrue(o instanceof RebootLock.Outcome.Refused r && r.why().startsWith("unknown_group: no group 'web'")
          && r.why().contains("cairn admin group create web"), o.toString());
    }
  }

  @Test
  void aServerOutOfReach_isAnIOExceptionNamingIt() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    FleetLockClient c = new FleetLockClient("http://127.0.0.1:" + port, "stable", TIMEOUT);
    IOException e = assertThrows(IOException.class, () -> c.lock("aaaa"));
    assertTrue(e.getMessage().startsWith("FleetLock http://127.0.0.1:" + port + " group stable: /v1/pre-reboot: "),
        e.getMessage());
    assertThrows(IOException.class, () -> c.unlock("aaaa"));
  }

  @Test
  void badUrlsGroupsAndIds_areRefusedNamingThem() {
    for (String bad : new String[] {"ftp://x", "cairn:8080", "http://", "http://x/?q=1"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new FleetLockClient(bad, "g", TIMEOUT), bad);
      assertEquals("the lock server must be an http or https URL, got '" + bad + "'", e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> new FleetLockClient("http://x", "", TIMEOUT));
    FleetLockClient c = new FleetLockClient("http://127.0.0.1:1", "g", TIMEOUT);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.lock("has space"));
    assertTrue(e.getMessage().contains("'has space'"), e.getMessage());
  }

  @Test
  void errorBodies_areSaidOnOneLine() {
    assertEquals("failed_lock: all taken", FleetLockClient.said(409, "{\"kind\":\"failed_lock\",\"value\":\"all\\ntaken\"}"));
    assertEquals("HTTP 502: <html> bad gateway </html>", FleetLockClient.said(502, "<html>\nbad gateway\n</html>"));
    assertEquals("HTTP 404", FleetLockClient.said(404, ""));
  }
}
