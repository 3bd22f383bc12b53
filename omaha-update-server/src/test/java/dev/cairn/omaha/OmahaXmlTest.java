package dev.cairn.omaha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.omaha.Model.Package;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Requests exactly as update_engine writes them, and responses as it parses them. */
class OmahaXmlTest {
  static byte[] fixture(String name) throws IOException {
    try (InputStream in = OmahaXmlTest.class.getResourceAsStream("/omaha/" + name)) {
      return in.readAllBytes();
    }
  }

  static OmahaRequest.App only(String name) throws IOException {
    OmahaRequest r = OmahaXml.parseRequest(fixture(name));
    assertEquals(1, r.apps().size());
    return r.apps().get(0);
  }

  @Test
  void updateCheck_withPingAndTheRoutine32Event() throws IOException {
    OmahaRequest r = OmahaXml.parseRequest(fixture("update-check.xml"));
    assertEquals("scheduler", r.installSource());
    assertEquals("CoreOS", r.osPlatform());
    OmahaRequest.App a = r.apps().get(0);
    assertEquals(Model.COREOS_APP_ID, a.appId());
    assertEquals("3510.2.1", a.version());
    assertEquals("stable", a.track());
    assertEquals("0123456789abcdef0123456789abcdef", a.machineId());
    assertEquals("rack4-node17", a.machineAlias());
    assertEquals("qemu", a.oem());
    assertEquals("3374.2.0", a.alephVersion());
    assertEquals("amd64-usr", a.board());
    assertTrue(a.ping());
    assertTrue(a.updateCheck());
    assertEquals(List.of(new OmahaRequest.Event(3, 2, -1, "")), a.events());
  }

  @Test
  void afterReboot_theEventCarriesThePreviousVersion() throws IOException {
    OmahaRequest r = OmahaXml.parseRequest(fixture("update-check-after-reboot.xml"));
    assertEquals("ondemandupdate", r.installSource());
    assertEquals("3374.2.0", r.apps().get(0).events().get(0).previousVersion());
  }

  @Test
  void pingOnly_andEventOnly() throws IOException {
    OmahaRequest.App ping = only("ping-only.xml");
    assertTrue(ping.ping());
    assertFalse(ping.updateCheck());
    assertTrue(ping.events().isEmpty());
    OmahaRequest.App event = only("event-download-started.xml");
    assertFalse(event.ping());
    assertFalse(event.updateCheck());
    assertEquals(List.of(new OmahaRequest.Event(13, 1, -1, "")), event.events());
  }

  @Test
  void rollbackAndFlaggedErrorCodes() throws IOException {
    assertEquals(44, only("rollback-event.xml").events().get(0).errorCode());
    long flagged = only("error-with-flag-28.xml").events().get(0).errorCode();
    assertEquals(268435490L, flagged);
    assertEquals(34, UpdatePolicy.baseErrorCode(flagged));
    assertEquals(1, UpdatePolicy.errorFlags(flagged));
  }

  @Test
  void severalAppsInOneRequest() throws IOException {
    OmahaRequest r = OmahaXml.parseRequest(fixture("two-apps.xml"));
    assertEquals(2, r.apps().size());
    assertEquals("{11111111-2222-3333-4444-555555555555}", r.apps().get(1).appId());
  }

  static final Package PKG = new Package(Version.parse("3602.2.0"), "amd64-usr", "flatcar_production_update.gz",
      304218311, "AZ0MbXC8v8ZNvP2XbL1yZy4uQcA=", "0VAlQW3RE99SGtSB5R4m08antAHO8XDoBMKDyxQT/Mg=",
      "https://cairn.example.com/packages/3602.2.0/");

  @ParameterizedTest
  @ValueSource(strings = {"offer", "noupdate", "unknown-app", "events-only"})
  void responses_matchGoldenFiles(String name) throws IOException {
    OmahaResponse r = switch (name) {
      case "offer" -> new OmahaResponse(49008, List.of(
          new OmahaResponse.App(Model.COREOS_APP_ID, "ok", true, 1, new OmahaResponse.Update(PKG))));
      case "noupdate" -> new OmahaResponse(49008, List.of(
          new OmahaResponse.App(Model.COREOS_APP_ID, "ok", true, 1, OmahaResponse.Update.none())));
      case "unknown-app" -> new OmahaResponse(49008, List.of(
          new OmahaResponse.App("{11111111-2222-3333-4444-555555555555}", "error-unknownApplication", true, 0, null)));
      default -> new OmahaResponse(49008, List.of(new OmahaResponse.App(Model.COREOS_APP_ID, "ok", false, 2, null)));
    };
    String actual = OmahaXml.renderResponse(r);
    Path golden = Path.of("src/test/resources/omaha/response-" + name + ".xml");
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(golden, actual);
    }
    assertEquals(new String(fixture("response-" + name + ".xml"), StandardCharsets.UTF_8), actual);
  }

  static void refused(String xml, String reasonPart) {
    OmahaXml.BadRequest e = assertThrows(OmahaXml.BadRequest.class,
        () -> OmahaXml.parseRequest(xml.getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains(reasonPart), e.getMessage());
  }

  @Test
  void hostile_xxeIsRefusedAndNothingIsRead() {
    refused("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
        + "<request protocol=\"3.0\"><app appid=\"&x;\"/></request>", "");
  }

  @Test
  void hostile_billionLaughsIsRefused() {
    StringBuilder b = new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY l0 \"lol\">");
    for (int i = 1; i < 10; i++) {
      b.append("<!ENTITY l").append(i).append(" \"").append(("&l" + (i - 1) + ";").repeat(10)).append("\">");
    }
    b.append("]><request protocol=\"3.0\"><app appid=\"&l9;\"/></request>");
    refused(b.toString(), "");
  }

  @Test
  void hostile_truncatedAndOtherwiseWrong() {
    refused("<?xml version=\"1.0\"?><request protocol=\"3.0\"><app appid=\"x\">", "malformed XML");
    refused("<hello/>", "expected <request>");
    refused("<request protocol=\"2.0\"><app appid=\"x\"/></request>", "not Omaha 3.0");
    refused("<request protocol=\"3.0\"></request>", "no <app>");
    refused("<request protocol=\"3.0\"><app appid=\"x\"><event eventtype=\"x\" eventresult=\"1\"/></app></request>", "not a number");
  }

  @Test
  void hostile_tenThousandApps() {
    String app = "<app appid=\"{e96281a6-d1af-4bde-9a0a-97b76e56dc57}\" version=\"1.0.0\" machineid=\"m\"><ping/></app>";
    refused("<request protocol=\"3.0\">" + app.repeat(10_000) + "</request>", "more than 16 apps");
  }

  /** The bytes of {@code xml} in UTF-8, with {@code bad} in place of the first '#'. */
  static byte[] withBytes(String xml, int... bad) {
    byte[] utf8 = xml.getBytes(StandardCharsets.UTF_8);
    int at = xml.indexOf('#');
    byte[] out = new byte[utf8.length - 1 + bad.length];
    System.arraycopy(utf8, 0, out, 0, at);
    for (int i = 0; i < bad.length; i++) {
      out[at + i] = (byte) bad[i];
    }
    System.arraycopy(utf8, at + 1, out, at + bad.length, utf8.length - at - 1);
    return out;
  }

  @Test
  void hostile_bytesThatAreNotUtf8_areRefusedNamingTheOffset_andTheParserPrintsNothing() throws IOException {
    String check = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><request protocol=\"3.0\">"
        + "<app appid=\"#\" version=\"1.0.0\"><ping/></app></request>";
    PrintStream stderr = System.err;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      for (byte[] body : List.of(withBytes(check, 0xff, 0xfe), withBytes(check, 0xc3, 0x28),
          withBytes(check, 0xe2, 0x82), withBytes(check, 0xf0, 0x9f, 0x98), withBytes("#<request/>", 0xfe, 0xff))) {
        OmahaXml.BadRequest e = assertThrows(OmahaXml.BadRequest.class, () -> OmahaXml.parseRequest(body));
        assertTrue(e.getMessage().startsWith("the body is not UTF-8 (invalid byte at offset "), e.getMessage());
      }
      refused("<?xml version=\"1.0\" encoding=\"EBCDIC-made-up\"?><request protocol=\"3.0\"/>", "no <app>");
      refused("<request protocol=\"3.0\">\u0000</request>", "malformed XML");
      refused("", "malformed XML");
    } finally {
      System.setErr(stderr);
    }
    assertEquals("", printed.toString(StandardCharsets.UTF_8));
    byte[] good = fixture("update-check.xml");
    byte[] withByteOrderMark = new byte[good.length + 3];
    System.arraycopy(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, 0, withByteOrderMark, 0, 3);
    System.arraycopy(good, 0, withByteOrderMark, 3, good.length);
    assertEquals(OmahaXml.parseRequest(good), OmahaXml.parseRequest(withByteOrderMark), "a UTF-8 byte order mark is fine");
  }

  @Test
  void aParseError_inTheXmlDeclaration_isOneLine() {
    OmahaXml.BadRequest e = assertThrows(OmahaXml.BadRequest.class,
        () -> OmahaXml.parseRequest("<?xml version=\"2.0\"?><request/>".getBytes(StandardCharsets.UTF_8)));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }
}
