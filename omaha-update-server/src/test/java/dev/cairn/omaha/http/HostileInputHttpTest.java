package dev.cairn.omaha.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken requests over HTTP: each is refused with a 4xx and leaves nothing behind.
 * Each carries a real app and machine id, so a server that let it through would record an instance.
 * Then slow, stalled and broken clients on raw sockets: they hold no thread and no place among the
 * checks in flight, everyone else is answered meanwhile, and they are cut off after their timeout.
 */
class HostileInputHttpTest {
  static final String MACHINE = "0123456789abcdef0123456789abcdef";

  @TempDir
  Path dir;

  TestServer server;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start(dir);
    server.release();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /**
   * The answer is {@code status}, and the admin API lists no instance at all. A 413 also closes
   * the connection: the unread rest of the body must never be parsed as a next request.
   */
  void assertRefused(int status, HttpResponse<String> r) {
    assertEquals(status, r.statusCode(), r.body());
    assertFalse(r.body().contains("<updatecheck"), r.body());
    if (status == 413) {
      assertEquals("close", r.headers().firstValue("Connection").orElse(""), r.headers().toString());
    }
    assertEquals(0, server.instances().size(), "a refused request stored an instance");
  }

  /** A valid check padded with a comment to a bit over 1 MiB. */
  static byte[] oneMebibyteCheck() {
    String check = TestServer.check(MACHINE, "3510.2.1", "stable");
    String pad = "<!--" + "x".repeat(1024 * 1024) + "-->";
    return check.replace("<ping active=\"1\"></ping>", "<ping active=\"1\"></ping>" + pad)
        .getBytes(StandardCharsets.UTF_8);
  }

  /** A valid check with {@code prolog} (a DOCTYPE) before the root and {@code extra} inside the app. */
  static String withDoctype(String doctype, String extra) {
    String check = TestServer.check(MACHINE, "3510.2.1", "stable");
    return check.replaceFirst("\\?>\n", "?>\n" + doctype + "\n")
        .replace("<ping active=\"1\"></ping>", "<ping active=\"1\"></ping>" + extra);
  }

  @Test
  void sanityCheck_theRequestTheHostileOnesAreBuiltFrom_isServed() {
    HttpResponse<String> r = server.omaha(withDoctype("", ""));
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(1, server.instances().size());
  }

  @Test
  void headersOver32KiB_areRefused_andTheServerGoesOn() throws Exception {
    String big = "X-Pad: " + "a".repeat(1000) + "\r\n";
    try (RawClient c = RawClient.connect(server.server.port(), "127.0.0.1")) {
      byte[] body = TestServer.check("ffffffffffffffffffffffffffffffff", "3510.2.1", "stable")
          .getBytes(StandardCharsets.UTF_8);
      c.send("POST /v1/update/ HTTP/1.1\r\nHost: cairn\r\n" + big.repeat(40) + "Content-Length: " + body.length
          + "\r\n\r\n" + new String(body, StandardCharsets.UTF_8));
      String answer = c.untilClosed(java.time.Duration.ofSeconds(5));
      assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
    }
    assertEquals(0, server.instances().size(), "the check with 40 KiB of headers was not served");
    assertEquals(200, server.omaha(TestServer.check(MACHINE, "3510.2.1", "stable")).statusCode());
    assertEquals(1, server.instances().size(), "only the real check was stored");
  }

  @Test
  void controlCharactersInAttributes_areStoredRaw_andTheJsonApiEscapesThem() {
    // XML 1.1 lets character references carry C0 and C1 controls; a bidi control is a plain character
    String evil = "&#x1b;[2J&#x1b;]0;owned&#x7;&#x9b;31m&#xd;\u202e";
    String xml = withDoctype("", "").replace("version=\"1.0\"", "version=\"1.1\"")
        .replace("machinealias=\"\"", "machinealias=\"" + evil + "\"").replace("oem=\"qemu\"", "oem=\"" + evil + "\"");

    HttpResponse<String> r = server.omaha(xml);

    assertEquals(200, r.statusCode(), r.body());
    String raw = "\u001b[2J\u001b]0;owned\u0007\u009b31m\r\u202e";
    var stored = server.store.listInstances(TestServer.APP, null, 10).get(0);
    assertEquals(raw, stored.alias(), "the database keeps what the machine sent");
    assertEquals(raw, stored.oem());
    HttpResponse<String> api = server.send(server.request("/api/v1/instances/" + MACHINE)
        .header("Authorization", "Bearer " + TestServer.TOKEN).GET());
    assertEquals(200, api.statusCode(), api.body());
    assertFalse(api.body().chars().anyMatch(c -> (c < 0x20 && c != '\n') || (c >= 0x7f && c <= 0x9f) || c == 0x202e),
        "no raw control character in the API's answer: " + api.body());
    assertTrue(api.body().contains("\\u001B[2J"), api.body());
    assertTrue(api.body().contains("\\u009B31m"), api.body());
  }

  @Test
  void xxe_readingEtcPasswd_is400_andLeaksNothing() {
    String xml = withDoctype("<!DOCTYPE request [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>", "&xxe;");

    HttpResponse<String> r = server.omaha(xml);

    assertRefused(400, r);
    assertFalse(r.body().contains("root:"), r.body());
    assertTrue(r.body().contains("DTD"), r.body());
  }

  @Test
  void xxe_inAnAttributeViaParameterEntity_is400_andLeaksNothing() {
    String xml = withDoctype("<!DOCTYPE request [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]>", "");

    HttpResponse<String> r = server.omaha(xml);

    assertRefused(400, r);
    assertFalse(r.body().contains("root:"), r.body());
  }

  @Test
  void billionLaughs_is400() {
    StringBuilder dtd = new StringBuilder("<!DOCTYPE request [<!ENTITY lol0 \"lol\">");
    for (int i = 1; i <= 9; i++) {
      dtd.append("<!ENTITY lol").append(i).append(" \"").append(("&lol" + (i - 1) + ";").repeat(10)).append("\">");
    }
    dtd.append("]>");

    assertRefused(400, server.omaha(withDoctype(dtd.toString(), "&lol9;")));
  }

  @Test
  void oneMebibyteBody_is413() {
    HttpResponse<String> r = server.omaha(oneMebibyteCheck());

    assertRefused(413, r);
    assertEquals("request body larger than 65536 bytes\n", r.body());
  }

  @Test
  void oneMebibyteBody_sentChunkedWithoutALength_is413() {
    byte[] body = oneMebibyteCheck();

    HttpResponse<String> r = server.send(server.request("/v1/update/").header("Content-Type", "text/xml")
        .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));

    assertRefused(413, r);
    assertEquals("request body larger than 65536 bytes\n", r.body());
  }

  @Test
  void oversizedBodies_inARow_eachGet413_andTheRequestsAfterThemAreServed() {
    byte[] body = oneMebibyteCheck();
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = i % 2 == 0 ? server.omaha(body)
          : server.send(server.request("/v1/update/").POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));
      assertEquals(413, r.statusCode(), "round " + i + ": " + r.body());
      HttpResponse<String> next = server.send(server.request("/healthz").GET());
      assertEquals(200, next.statusCode(), "round " + i + ": the request after a 413 got " + next.statusCode());
    }
    assertEquals(0, server.instances().size());
  }

  @Test
  void truncatedXml_is400() {
    String check = TestServer.check(MACHINE, "3510.2.1", "stable");
    String cut = check.substring(0, check.indexOf("</app>"));

    HttpResponse<String> r = server.omaha(cut);

    assertRefused(400, r);
    assertTrue(r.body().startsWith("malformed XML"), r.body());
  }

  @Test
  void tenThousandApps_is4xx() {
    StringBuilder apps = new StringBuilder();
    for (int i = 0; i < 10_000; i++) {
      apps.append("<app appid=\"").append(TestServer.APP).append("\" version=\"3510.2.1\" track=\"stable\" machineid=\"")
          .append(String.format("%032x", i)).append("\"><ping/><updatecheck/></app>");
    }

    HttpResponse<String> r = server.omaha("<request protocol=\"3.0\">" + apps + "</request>");

    assertTrue(r.statusCode() == 400 || r.statusCode() == 413, r.statusCode() + " " + r.body());
    assertRefused(r.statusCode(), r);
  }

  @Test
  void seventeenApps_withinTheSizeLimit_is400NamingTheLimit() {
    StringBuilder apps = new StringBuilder();
    for (int i = 0; i < 17; i++) {
      apps.append("<app appid=\"").append(TestServer.APP).append("\" version=\"3510.2.1\" track=\"stable\" machineid=\"")
          .append(String.format("%032x", i)).append("\"><ping/><updatecheck/></app>");
    }

    HttpResponse<String> r = server.omaha("<request protocol=\"3.0\">" + apps + "</request>");

    assertRefused(400, r);
    assertEquals("more than 16 apps in one request\n", r.body());
  }

  @Test
  void wrongProtocolVersion_is400() {
    String xml = TestServer.check(MACHINE, "3510.2.1", "stable").replace("protocol=\"3.0\"", "protocol=\"2.0\"");

    HttpResponse<String> r = server.omaha(xml);

    assertRefused(400, r);
    assertEquals("protocol '2.0' is not Omaha 3.0\n", r.body());
  }

  @Test
  void getOnTheUpdateEndpoint_is405() {
    assertRefused(405, server.send(server.request("/v1/update/").GET()));
  }

  @Test
  void unknownPath_is404_evenWithAValidCheck() {
    HttpResponse<String> r = server.send(server.request("/v2/update/").header("Content-Type", "text/xml")
        .POST(BodyPublishers.ofString(TestServer.check(MACHINE, "3510.2.1", "stable"))));

    assertRefused(404, r);
  }

  // ---- slow, stalled and broken clients, on raw sockets

  /** How soon the others must be answered while the stalled clients hold their connections. */
  static final Duration PROMPTLY = Duration.ofSeconds(1);
  /** The short timeouts these tests run with; the headroom they allow on top for a slow machine. */
  static final Duration SHORT = Duration.ofSeconds(1);
  static final Duration HEADROOM = Duration.ofSeconds(10);
  /** Where the stalled clients connect from: another machine, as far as the server can tell. */
  static final String STALLED = "127.0.0.2";
  static final String NAME = "flatcar_production_update.gz";

  CapturedOutput output;

  @AfterEach
  void stopCapturing() {
    if (output != null) {
      output.close();
    }
  }

  /** Replaces the server with one that has {@code limits}, and payload hosting when {@code hosting}. */
  void restart(int maxChecksInFlight, Limits limits, boolean hosting) throws Exception {
    server.close();
    server = TestServer.start(dir, maxChecksInFlight, limits, hosting);
  }

  static Limits shortTimeouts() {
    return Limits.DEFAULTS.withTimeouts(SHORT, SHORT, Duration.ofSeconds(60), SHORT);
  }

  <T> T promptly(String what, Supplier<T> call) {
    return assertTimeoutPreemptively(PROMPTLY, call::get, what + " was not answered within " + PROMPTLY);
  }

  /** A real check, a real admin call and (when there is one) a real download are each answered promptly. */
  void othersAreServedPromptly(String download) {
    HttpResponse<String> check = promptly("an update check",
        () -> server.omaha(TestServer.check(MACHINE, "3510.2.1", "stable")));
    assertEquals(200, check.statusCode(), check.body());
    assertTrue(check.body().contains("<updatecheck status=\"ok\">"), check.body());
    HttpResponse<String> admin = promptly("an admin call", () -> server.admin("GET", "/api/v1/groups", null));
    assertEquals(200, admin.statusCode(), admin.body());
    if (download != null) {
      HttpResponse<byte[]> part = promptly("a download",
          () -> bytes(server.request(download).header("Range", "bytes=0-1023").GET()));
      assertEquals(206, part.statusCode());
      assertEquals(1024, part.body().length);
    }
    assertEquals(200, promptly("/healthz", () -> server.send(server.request("/healthz").GET())).statusCode());
  }

  HttpResponse<byte[]> bytes(java.net.http.HttpRequest.Builder b) {
    try {
      return server.http.send(b.build(), BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Uploads a payload of {@code size} random bytes (as release 3700.0.0); the path it is served at. */
  String hostPayload(int size) {
    byte[] payload = new byte[size];
    new Random(11).nextBytes(payload);
    HttpResponse<String> r = server.send(server.request("/api/v1/packages/3700.0.0/payload?name="
        + NAME + "&board=amd64-usr").header("Authorization", "Bearer " + TestServer.TOKEN)
        .PUT(BodyPublishers.ofByteArray(payload)));
    assertEquals(200, r.statusCode(), r.body());
    String path = URI.create(TestServer.json(r).get("url").asText()).getPath() + NAME;
    assertEquals(200, server.send(server.request(path).method("HEAD", BodyPublishers.noBody())).statusCode(), path);
    return path;
  }

  static String bodilessCheck() {
    return "POST /v1/update/ HTTP/1.1\r\nHost: cairn\r\nContent-Type: text/xml\r\nContent-Length: 2000\r\n\r\n";
  }

  /** Waits (boundedly) until {@code from} holds {@code n} open connections on the server. */
  void awaitOpen(String from, int n) throws Exception {
    InetAddress a = InetAddress.getByName(from);
    long deadline = System.nanoTime() + HEADROOM.toNanos();
    while (server.server.openConnections(a) != n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(n, server.server.openConnections(a), "connections the server holds from " + from);
  }

  @Test
  void checksWhoseBodyNeverComes_4097From17Addresses_underTheDefaultLimits_takeNoPlace_andRealChecksAreAnswered()
      throws Exception {
    long fds = ((com.sun.management.UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getMaxFileDescriptorCount();
    assertTrue(fds > 10_000, "this test opens 8,200 files (both ends of 4,097 connections), the limit is " + fds
        + "; raise it with ulimit -n (test.sh raises the soft limit to the hard one)");
    assertEquals(4_096, server.server.admission().limit(), "the default limit of checks in flight");
    server.omaha(TestServer.check(MACHINE, "3510.2.1", "stable"));    // the client's connection is made
    List<RawClient> stalled = new ArrayList<>();
    try {
      for (int i = 0; i <= OmahaServer.MAX_CHECKS_IN_FLIGHT; i++) {
        String from = "127.0.0." + (2 + i % 17);    // 241 each, within the default 256 per address
        stalled.add(RawClient.connect(server.server.port(), from).send(bodilessCheck()));
      }
      long deadline = System.nanoTime() + HEADROOM.toNanos();
      while (server.server.openConnections() < 4_098 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(4_098, server.server.openConnections(), "the 4,097 and the real client's own");

      othersAreServedPromptly(null);
      assertEquals(0, server.server.admission().inFlight(), "a check without its body took a place");
      assertEquals(4_098, server.server.openConnections(), "none was closed before its body timeout");
    } finally {
      stalled.forEach(RawClient::close);
    }
  }

  @Test
  void checksWhoseBodyNeverComes_beyondTheLimitOfChecksInFlight_takeNoPlace_andAreClosedAfterTheBodyTimeout()
      throws Exception {
    restart(8, shortTimeouts(), false);
    output = new CapturedOutput();
    List<RawClient> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < 20; i++) {
        stalled.add(RawClient.connect(server.server.port(), STALLED).send(bodilessCheck()));
      }
      awaitOpen(STALLED, 20);

      othersAreServedPromptly(null);
      assertEquals(0, server.server.admission().inFlight());

      for (RawClient c : stalled) {
        String answer = c.untilClosed(HEADROOM);
        assertEquals("", answer, "the server neither closed the connection nor stayed silent");
      }
      awaitOpen(STALLED, 0);
      List<String> refusals = output.refusals(20);
      assertEquals(20, refusals.stream().filter(l -> l.contains("body")).count(), refusals.toString());
      assertEquals(List.of(), output.alarming());
      assertEquals("", output.stderr());
    } finally {
      stalled.forEach(RawClient::close);
    }
  }

  @Test
  void chunkedChecksThatNeverEnd_holdNoThread_whileChecksAdminCallsAndDownloadsAreAnswered_andAreClosedAfterTheBodyTimeout()
      throws Exception {
    restart(OmahaServer.MAX_CHECKS_IN_FLIGHT, shortTimeouts().withTimeouts(SHORT, Duration.ofSeconds(3),
        Duration.ofSeconds(60), SHORT), true);
    String download = hostPayload(64 * 1024);
    output = new CapturedOutput();
    String half = TestServer.check(MACHINE, "3510.2.1", "stable").substring(0, 100);
    List<RawClient> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < OmahaServer.WORKERS + 4; i++) {
        stalled.add(RawClient.connect(server.server.port(), STALLED).send("POST /v1/update/ HTTP/1.1\r\nHost: cairn\r\n"
            + "Content-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(2 * half.length())
            + "\r\n" + half));
      }
      awaitOpen(STALLED, OmahaServer.WORKERS + 4);

      othersAreServedPromptly(download);

      for (RawClient c : stalled) {
        assertEquals("", c.untilClosed(HEADROOM), "closed after the body timeout, without an answer");
      }
      awaitOpen(STALLED, 0);
      assertEquals(1, server.instances().size(), "only the real check is stored");
      assertEquals(List.of(), output.alarming());
      assertEquals("", output.stderr());
    } finally {
      stalled.forEach(RawClient::close);
    }
  }

  @Test
  void downloadsTheClientStopsReading_holdNoThread_whileOthersAreAnswered_andAreCutOffAfterTheWriteTimeout()
      throws Exception {
    Duration write = Duration.ofSeconds(3);
    restart(OmahaServer.MAX_CHECKS_IN_FLIGHT, Limits.DEFAULTS.withTimeouts(SHORT, SHORT, Duration.ofSeconds(60), write),
        true);
    int size = 16 << 20;    // far more than the socket buffers between the server and a client that reads nothing
    String download = hostPayload(size);
    output = new CapturedOutput();
    List<RawClient> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < OmahaServer.WORKERS + 4; i++) {
        stalled.add(RawClient.connect(server.server.port(), STALLED, 4096)
            .send("GET " + download + " HTTP/1.1\r\nHost: cairn\r\n\r\n"));
      }
      awaitOpen(STALLED, OmahaServer.WORKERS + 4);

      othersAreServedPromptly(download);
      assertEquals(size, bytes(server.request(download).GET()).body().length, "a client that reads gets it all");

      awaitOpen(STALLED, 0);
      for (RawClient c : stalled) {
        String got = c.untilClosed(HEADROOM);
        assertNotNull(got, "the server did not close a download the client stopped reading");
        assertTrue(got.startsWith("HTTP/1.1 200"), "the download had started: " + got.substring(0, 20));
        assertTrue(got.length() < size, "the whole payload went out: " + got.length());
      }
      List<String> refusals = output.refusals(OmahaServer.WORKERS + 4);
      assertEquals(OmahaServer.WORKERS + 4, refusals.stream().filter(l -> l.contains("took no byte of the answer for 3 s"))
          .count(), refusals.toString());
      assertEquals(List.of(), output.alarming());
      assertEquals("", output.stderr());
    } finally {
      stalled.forEach(RawClient::close);
    }
  }

  @Test
  void headersThatNeverEnd_areClosedAfterTheHeaderTimeout() throws Exception {
    restart(OmahaServer.MAX_CHECKS_IN_FLIGHT, shortTimeouts(), false);
    try (RawClient c = RawClient.connect(server.server.port(), STALLED)
        .send("POST /v1/update/ HTTP/1.1\r\nHost: cairn\r\nContent-Type: text/")) {
      long start = System.nanoTime();
      assertEquals("", c.untilClosed(HEADROOM));
      assertTrue(System.nanoTime() - start >= SHORT.toNanos() / 2, "closed before its timeout");
    }
  }

  @Test
  void aConnectionWithoutARequest_newOrKeptAlive_isClosedAfterTheIdleTimeout() throws Exception {
    restart(OmahaServer.MAX_CHECKS_IN_FLIGHT, Limits.DEFAULTS.withTimeouts(Duration.ofSeconds(10),
        Duration.ofSeconds(30), SHORT, Duration.ofSeconds(60)), false);
    try (RawClient silent = RawClient.connect(server.server.port(), STALLED);
        RawClient keptAlive = RawClient.connect(server.server.port(), STALLED)) {
      keptAlive.send("GET /healthz HTTP/1.1\r\nHost: cairn\r\n\r\n");

      assertEquals("", silent.untilClosed(HEADROOM));
      String answer = keptAlive.untilClosed(HEADROOM);
      assertNotNull(answer, "the kept-alive connection was not closed");
      assertTrue(answer.startsWith("HTTP/1.1 200") && answer.endsWith("ok\n"), answer);
    }
  }

  @Test
  void connectionsBeyondTheLimitPerAddress_areClosedAtOnce_whileOtherAddressesAreServed() throws Exception {
    restart(OmahaServer.MAX_CHECKS_IN_FLIGHT, Limits.DEFAULTS.withConnectionsPerAddress(4), false);
    output = new CapturedOutput();
    List<RawClient> held = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        held.add(RawClient.connect(server.server.port(), STALLED));
      }
      awaitOpen(STALLED, 4);
      try (RawClient fifth = RawClient.connect(server.server.port(), STALLED)) {
        fifth.send("GET /healthz HTTP/1.1\r\nHost: cairn\r\n\r\n");
        assertEquals("", fifth.untilClosed(HEADROOM), "the fifth was answered");
      }
      othersAreServedPromptly(null);

      held.remove(0).close();
      awaitOpen(STALLED, 3);
      try (RawClient again = RawClient.connect(server.server.port(), STALLED)) {
        assertTrue(again.send("GET /healthz HTTP/1.1\r\nHost: cairn\r\nConnection: close\r\n\r\n")
            .untilClosed(HEADROOM).startsWith("HTTP/1.1 200"), "a place freed is taken again");
      }
      List<String> refusals = output.refusals(1);
      assertEquals(1, refusals.stream().filter(l -> l.contains("connection from " + STALLED)).count(),
          refusals.toString());
    } finally {
      held.forEach(RawClient::close);
    }
  }

  @Test
  void aMalformedChunk_closesTheConnection_withOneLineLogged_andNoStackTrace() throws Exception {
    output = new CapturedOutput();
    try (RawClient c = RawClient.connect(server.server.port(), STALLED)) {
      c.send("POST /v1/update/ HTTP/1.1\r\nHost: cairn\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "zz\r\n<request/>\r\n0\r\n\r\n");

      String answer = c.untilClosed(HEADROOM);

      assertNotNull(answer, "the connection was left open");
      assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 400"), answer);
    }
    List<String> refusals = output.refusals(1);
    assertEquals(1, refusals.size(), refusals.toString());
    assertTrue(refusals.get(0).contains("POST /v1/update/: 400"), refusals.get(0));
    assertEquals(List.of(), output.alarming());
    assertEquals("", output.stderr());
    assertEquals(0, server.instances().size());
  }

  @Test
  void aBodyThatIsNotUtf8_is400_withOneLineLogged_andNothingPrinted() throws Exception {
    output = new CapturedOutput();
    byte[] check = TestServer.check(MACHINE, "3510.2.1", "stable").getBytes(StandardCharsets.UTF_8);
    check[check.length / 2] = (byte) 0xff;

    HttpResponse<String> r = server.omaha(check);

    assertRefused(400, r);
    assertTrue(r.body().startsWith("the body is not UTF-8 (invalid byte at offset "), r.body());
    assertEquals(1, output.refusals(1).size(), output.refusals().toString());
    assertEquals(List.of(), output.alarming());
    assertEquals("", output.stderr());
  }
}
