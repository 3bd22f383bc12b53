package dev.cairn.omaha.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken requests over HTTP: each is refused with a 4xx and leaves nothing behind.
 * Each carries a real app and machine id, so a server that let it through would record an instance.
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
}
