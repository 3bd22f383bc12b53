package dev.cairn.install.agent.omaha;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.install.agent.CheckResult;
import dev.cairn.install.agent.ErrorCode;
import dev.cairn.install.agent.UpdateOffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The update server's golden answers, read as update_engine reads them; and answers to refuse. */
class ResponseParserTest {
  static final String APP = "{e96281a6-d1af-4bde-9a0a-97b76e56dc57}";

  static CheckResult parse(String xml) throws OmahaResponseException {
    return ResponseParser.parse(xml.getBytes(StandardCharsets.UTF_8));
  }

  /** The refusal of {@code xml}: its code must be {@code code} and its message contain {@code says}. */
  static void refused(String xml, ErrorCode code, String says) {
    refused(xml.getBytes(StandardCharsets.UTF_8), code, says);
  }

  static void refused(byte[] body, ErrorCode code, String says) {
    OmahaResponseException e = assertThrows(OmahaResponseException.class, () -> ResponseParser.parse(body));
    assertTrue(e.getMessage().contains(says), e.getMessage());
    assertEquals(code.code(), e.errorCode(), e.getMessage());
  }

  // ---- the golden answers

  @Test
  void goldenOffer_givesVersionUrlPackageAndPostinstallHash() throws Exception {
    CheckResult r = parse(Golden.RESPONSE_OFFER);
    UpdateOffer o = ((CheckResult.Offer) r).offer();
    assertEquals(APP, r.appId());
    assertEquals("3602.2.0", o.version());
    assertEquals(List.of("https://cairn.example.com/packages/3602.2.0/"), o.codebases());
    assertEquals("flatcar_production_update.gz", o.packageName());
    assertEquals(304218311L, o.size());
    assertEquals("AZ0MbXC8v8ZNvP2XbL1yZy4uQcA=", o.sha1Base64());
    assertEquals("", o.sha256Base64());
    assertEquals("0VAlQW3RE99SGtSB5R4m08antAHO8XDoBMKDyxQT/Mg=", o.postinstall().sha256Base64());
    assertEquals(Map.of("event", "postinstall", "sha256", "0VAlQW3RE99SGtSB5R4m08antAHO8XDoBMKDyxQT/Mg=",
        "DisablePayloadBackoff", "true"), o.postinstall().attributes());
    assertEquals(List.of("event", "sha256", "DisablePayloadBackoff"),
        List.copyOf(o.postinstall().attributes().keySet()));
    assertTrue(o.postinstall().disablePayloadBackoff());
    assertEquals(List.of("https://cairn.example.com/packages/3602.2.0/flatcar_production_update.gz"), o.payloadUrls());
    assertArrayEquals(Base64.getDecoder().decode("0VAlQW3RE99SGtSB5R4m08antAHO8XDoBMKDyxQT/Mg="), o.payloadSha256());
  }

  @Test
  void goldenNoUpdate_isNoUpdate() throws Exception {
    assertEquals(new CheckResult.NoUpdate(APP), parse(Golden.RESPONSE_NOUPDATE));
  }

  @Test
  void goldenUnknownApp_isTheAppsErrorStatus() throws Exception {
    assertEquals(new CheckResult.AppError("{11111111-2222-3333-4444-555555555555}", "error-unknownApplication"),
        parse(Golden.RESPONSE_UNKNOWN_APP));
  }

  @Test
  void goldenTwoApps_onlyTheFirstAppIsRead_asUpdateEngineDoes() throws Exception {
    CheckResult r = parse(Golden.RESPONSE_TWO_APPS);
    assertEquals(APP, r.appId());
    assertEquals("3602.2.0", ((CheckResult.Offer) r).offer().version());
  }

  @Test
  void goldenAnswersToEventsAndPings_areAcknowledged() throws Exception {
    assertEquals(new CheckResult.Acknowledged(APP), parse(Golden.RESPONSE_EVENT_ONLY));
    assertEquals(new CheckResult.Acknowledged(APP), parse(Golden.RESPONSE_EVENTS_ONLY));
    assertEquals(new CheckResult.Acknowledged(APP), parse(Golden.RESPONSE_PING_ONLY));
  }

  @Test
  void offerWithHashSha256AndSeveralUrls_keepsThemInOrder() throws Exception {
    String sha256 = Base64.getEncoder().encodeToString(new byte[32]);
    String xml = Golden.RESPONSE_OFFER
        .replace("required=\"true\"", "hash_sha256=\"" + sha256 + "\" required=\"true\"")
        .replace("   </urls>", "    <url codebase=\"http://mirror.example.com/p\"/>\n   </urls>");
    UpdateOffer o = ((CheckResult.Offer) parse(xml)).offer();
    assertEquals(sha256, o.sha256Base64());
    assertEquals(List.of("https://cairn.example.com/packages/3602.2.0/flatcar_production_update.gz",
        "http://mirror.example.com/p/flatcar_production_update.gz"), o.payloadUrls());
  }

  @Test
  void updatecheckErrorStatus_isAnAppError() throws Exception {
    assertEquals(new CheckResult.AppError(APP, "error-internal"),
        parse(Golden.RESPONSE_NOUPDATE.replace("status=\"noupdate\"", "status=\"error-internal\"")));
  }

  // ---- hostile or broken answers

  @Test
  void doctypeWithExternalEntity_isRefused_andNothingIsFetched() {
    String xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE response [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
        + Golden.RESPONSE_NOUPDATE.substring(Golden.RESPONSE_NOUPDATE.indexOf('\n') + 1)
            .replace("status=\"noupdate\"", "status=\"&x;\"");
    refused(xxe, ErrorCode.OMAHA_REQUEST_XML_PARSE_ERROR, "DOCTYPE");
  }

  @Test
  void doctypeAlone_isRefused() {
    String xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE response>\n"
        + Golden.RESPONSE_NOUPDATE.substring(Golden.RESPONSE_NOUPDATE.indexOf('\n') + 1);
    refused(xml, ErrorCode.OMAHA_REQUEST_XML_PARSE_ERROR, "DOCTYPE");
  }

  @Test
  void internalEntityExpansion_isRefused() {
    String bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE response [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>\n"
        + "<response protocol=\"3.0\"><app appid=\"&b;\" status=\"ok\"/></response>\n";
    refused(bomb, ErrorCode.OMAHA_REQUEST_XML_PARSE_ERROR, "DOCTYPE");
  }

  @Test
  void bodyOverOneMebibyte_isRefused_beforeParsing() {
    byte[] big = new byte[ResponseParser.MAX_BYTES + 1];
    java.util.Arrays.fill(big, (byte) ' ');
    byte[] head = Golden.RESPONSE_NOUPDATE.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(head, 0, big, 0, head.length);
    refused(big, ErrorCode.OMAHA_REQUEST_XML_PARSE_ERROR, "larger than 1048576 bytes");
  }

  @Test
  void emptyBody_isCode30() {
    refused(new byte[0], ErrorCode.OMAHA_REQUEST_EMPTY_RESPONSE_ERROR, "empty");
  }

  @Test
  void notUtf8_isRefused_namingTheOffset() {
    byte[] b = Golden.RESPONSE_NOUPDATE.replace("cairn", "caXrn").getBytes(StandardCharsets.UTF_8);
    int at = Golden.RESPONSE_NOUPDATE.indexOf("caXrn".replace('X', 'i')) + 2;
    b[at] = (byte) 0xff;
    refused(b, ErrorCode.OMAHA_REQUEST_XML_PARSE_ERROR, "not UTF-8 (invalid byte at offset " + at + ")");
  }

  @Test
  void truncatedXml_isCode31() {
    refused(Golden.RESPONSE_OFFER.substring(0, 300), ErrorCode.OMAHA_REQUEST_XML_PARSE_ERROR, "not XML");
  }

  @Test
  void wrongRootOrProtocol_orNoApp_isCode34() {
    refused("<html><body>proxy login</body></html>", ErrorCode.OMAHA_RESPONSE_INVALID,
        "the root element is <html>, expected <response>");
    refused(Golden.RESPONSE_NOUPDATE.replace("protocol=\"3.0\"", "protocol=\"2.0\""), ErrorCode.OMAHA_RESPONSE_INVALID,
        "protocol '2.0' is not Omaha 3.0");
    refused("<response protocol=\"3.0\"><daystart elapsed_seconds=\"1\"/></response>", ErrorCode.OMAHA_RESPONSE_INVALID,
        "no <app> in the response");
  }

  @Test
  void offerWithoutSize_orSizeZero_orSizeNotANumber_isRefused() {
    refused(Golden.RESPONSE_OFFER.replace(" size=\"304218311\"", ""), ErrorCode.OMAHA_RESPONSE_INVALID,
        "package size '' is not a number");
    refused(Golden.RESPONSE_OFFER.replace("304218311", "0"), ErrorCode.OMAHA_RESPONSE_INVALID,
        "package size must be > 0, got 0");
    refused(Golden.RESPONSE_OFFER.replace("304218311", "3e8"), ErrorCode.OMAHA_RESPONSE_INVALID,
        "package size '3e8' is not a number");
  }

  @Test
  void offerWithoutPostinstallSha256_orWithoutTheAction_isRefused() {
    refused(Golden.RESPONSE_OFFER.replace(" sha256=\"0VAlQW3RE99SGtSB5R4m08antAHO8XDoBMKDyxQT/Mg=\"", ""),
        ErrorCode.OMAHA_RESPONSE_INVALID, "postinstall action sha256 must not be empty");
    refused(Golden.RESPONSE_OFFER.replace("event=\"postinstall\"", "event=\"update\""),
        ErrorCode.OMAHA_RESPONSE_INVALID, "an offer without <action event=\"postinstall\">");
  }

  @Test
  void badBase64Hashes_areRefused_namingTheAttribute() {
    refused(Golden.RESPONSE_OFFER.replace("0VAlQW3RE99SGtSB5R4m08antAHO8XDoBMKDyxQT/Mg=", "not*base64"),
        ErrorCode.OMAHA_RESPONSE_INVALID, "postinstall action sha256 'not*base64' is not base64");
    String hex = HexFormat.of().formatHex(new byte[32]);
    refused(Golden.RESPONSE_OFFER.replace("0VAlQW3RE99SGtSB5R4m08antAHO8XDoBMKDyxQT/Mg=", hex),
        ErrorCode.OMAHA_RESPONSE_INVALID, "postinstall action sha256 '" + hex + "' is 48 bytes, expected 32");
    refused(Golden.RESPONSE_OFFER.replace("AZ0MbXC8v8ZNvP2XbL1yZy4uQcA=", "AAAA"), ErrorCode.OMAHA_RESPONSE_INVALID,
        "package hash 'AAAA' is 3 bytes, expected 20");
  }

  @Test
  void offerWithEmptyCodebase_orNoName_orNoManifest_isRefused() {
    refused(Golden.RESPONSE_OFFER.replace("https://cairn.example.com/packages/3602.2.0/", ""),
        ErrorCode.OMAHA_RESPONSE_INVALID, "a <url> without codebase");
    refused(Golden.RESPONSE_OFFER.replace("name=\"flatcar_production_update.gz\"", ""),
        ErrorCode.OMAHA_RESPONSE_INVALID, "package name must not be empty");
    refused(Golden.RESPONSE_OFFER.replace("<manifest version=\"3602.2.0\">", "<manifest>"),
        ErrorCode.OMAHA_RESPONSE_INVALID, "manifest version must not be empty");
    refused(Golden.RESPONSE_OFFER.replace("   </urls>", "").replace("   <urls>\n", "").replaceAll("    <url [^\n]*\n", ""),
        ErrorCode.OMAHA_RESPONSE_INVALID, "an offer without <urls>");
  }

  @Test
  void appOrUpdatecheckWithoutStatus_isRefused() {
    refused(Golden.RESPONSE_NOUPDATE.replace(" status=\"noupdate\"", ""), ErrorCode.OMAHA_RESPONSE_INVALID,
        "<updatecheck> has no status");
    refused(Golden.RESPONSE_NOUPDATE.replace(" status=\"ok\">", ">"), ErrorCode.OMAHA_RESPONSE_INVALID,
        "has no status");
  }
}
