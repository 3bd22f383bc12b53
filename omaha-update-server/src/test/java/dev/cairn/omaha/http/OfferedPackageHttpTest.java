package dev.cairn.omaha.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which package a machine is offered, and where its offer sends it to download. */
class OfferedPackageHttpTest {
  static final String MACHINE = "0123456789abcdef0123456789abcdef";

  @TempDir
  Path dir;

  TestServer server;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start(dir);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static String codebase(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    String b = r.body();
    int at = b.indexOf("<url codebase=\"");
    assertTrue(at >= 0, "no offer: " + b);
    int from = at + "<url codebase=\"".length();
    return b.substring(from, b.indexOf('"', from));
  }

  // ---- the codebase

  @Test
  void externalUrlWithoutTrailingSlash_isStoredAndOfferedEndingInSlash() {
    JsonNode p = server.adminOk("POST", "/api/v1/packages", TestServer.PACKAGE_JSON.replace("}",
        ", \"url\": \"https://mirror.example.com/flatcar/3602.2.0\"}"));
    assertEquals("https://mirror.example.com/flatcar/3602.2.0/", p.get("url").asText());
    server.adminOk("PUT", "/api/v1/channels/stable", "{\"version\": \"3602.2.0\"}");

    assertEquals("https://mirror.example.com/flatcar/3602.2.0/",
        codebase(server.omaha(TestServer.check(MACHINE, "3510.2.1", "stable"))));
    assertEquals("https://mirror.example.com/flatcar/3602.2.0/",
        server.adminOk("GET", "/api/v1/packages", null).get(0).get("url").asText());
  }

  @Test
  void storedUrlWithoutTrailingSlash_fromAnEarlierServer_isOfferedEndingInSlash() throws Exception {
    server.release();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + server.store.file());
        Statement s = c.createStatement()) {
      s.executeUpdate("update package set base_url = 'https://mirror.example.com/3602.2.0'");
    }
    server.adminOk("PUT", "/api/v1/channels/stable", "{\"version\": \"3602.2.0\"}");   // forgets cached groups

    assertEquals("https://mirror.example.com/3602.2.0/",
        codebase(server.omaha(TestServer.check(MACHINE, "3510.2.1", "stable"))));
  }
}
