package dev.cairn.install.agent.omaha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.install.agent.AgentEvent;
import dev.cairn.install.agent.AgentRequest;
import dev.cairn.install.agent.AgentRequest.InstallSource;
import dev.cairn.install.agent.AgentRequest.Machine;
import dev.cairn.install.agent.ErrorCode;
import dev.cairn.omaha.OmahaRequest;
import dev.cairn.omaha.OmahaXml;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The agent's requests against the two references: the golden update_engine requests (the text
 * must be the same, character for character) and the update server's own request parser
 * ({@link OmahaXml#parseRequest}), which must read back every value that was put in.
 */
class AgentRequestInteropTest {
  /** The machine of the golden requests. */
  static final Machine GOLDEN = new Machine("{e96281a6-d1af-4bde-9a0a-97b76e56dc57}", "3510.2.1", "stable",
      "{6d1a0c5e-3b39-4f0e-a0b7-2e1ac0b4c2f1}", "qemu", "0.0.1", "3374.2.0", "0123456789abcdef0123456789abcdef",
      "rack4-node17", Machine.LANG, "amd64-usr", Machine.OS_VERSION, Machine.OS_PLATFORM, "3510.2.1_x86_64");

  static OmahaRequest serverReads(AgentRequest r) {
    return OmahaXml.parseRequest(r.toXml().getBytes(StandardCharsets.UTF_8));
  }

  // ---- the same text as update_engine

  @Test
  void scheduledCheck_isTheGoldenUpdateCheck() {
    assertEquals(Golden.UPDATE_CHECK,
        AgentRequest.updateCheck(InstallSource.SCHEDULER, GOLDEN, AgentEvent.bootedAfterUpdate("")).toXml());
  }

  @Test
  void onDemandCheckAfterReboot_carriesPreviousVersion_asTheGolden() {
    assertEquals(Golden.UPDATE_CHECK_AFTER_REBOOT, AgentRequest.updateCheck(InstallSource.ON_DEMAND, GOLDEN,
        AgentEvent.bootedAfterUpdate("3374.2.0")).toXml());
  }

  @Test
  void checkAfterRollback_sends3_0_44_withoutPreviousVersion_asTheGolden() {
    assertEquals(Golden.ROLLBACK_EVENT,
        AgentRequest.updateCheck(InstallSource.SCHEDULER, GOLDEN, AgentEvent.rolledBack()).toXml());
  }

  @Test
  void downloadStarted_isAnEventOnly_asTheGolden() {
    assertEquals(Golden.EVENT_DOWNLOAD_STARTED,
        AgentRequest.event(InstallSource.SCHEDULER, GOLDEN, AgentEvent.downloadStarted()).toXml());
  }

  @Test
  void downloadFinishedAndUpdateComplete_haveTheGoldenEventsShape_withoutErrorcode() {
    assertEquals(Golden.EVENT_DOWNLOAD_STARTED.replace("eventtype=\"13\"", "eventtype=\"14\""),
        AgentRequest.event(InstallSource.SCHEDULER, GOLDEN, AgentEvent.downloadFinished()).toXml());
    assertEquals(Golden.EVENT_DOWNLOAD_STARTED.replace("eventtype=\"13\"", "eventtype=\"3\""),
        AgentRequest.event(InstallSource.SCHEDULER, GOLDEN, AgentEvent.updateComplete()).toXml());
  }

  @Test
  void pingOnly_isTheGoldenPing() {
    assertEquals(Golden.PING_ONLY, AgentRequest.pingOnly(InstallSource.SCHEDULER, GOLDEN).toXml());
  }

  @Test
  void errorEvent_carriesTheCodeWithFlag28_asFlatcarSendsIt() {
    AgentEvent e = AgentEvent.error(ErrorCode.OMAHA_RESPONSE_INVALID, ErrorCode.TEST_OMAHA_URL_FLAG);
    assertEquals(268435490, e.errorCode());
    assertEquals(Golden.ERROR_WITH_FLAG_28, AgentRequest.event(InstallSource.SCHEDULER, GOLDEN, e).toXml());
  }

  // ---- read back by the server's parser

  static void assertMachine(Machine m, OmahaRequest r) {
    assertEquals("3.0", r.protocol());
    assertEquals(m.osPlatform(), r.osPlatform());
    assertEquals(m.osVersion(), r.osVersion());
    assertEquals(1, r.apps().size());
    OmahaRequest.App a = r.apps().get(0);
    assertEquals(List.of(m.appId(), m.version(), m.track(), m.bootId(), m.oem(), m.oemVersion(), m.alephVersion(),
        m.machineId(), m.machineAlias(), m.board()), List.of(a.appId(), a.version(), a.track(), a.bootId(), a.oem(),
        a.oemVersion(), a.alephVersion(), a.machineId(), a.machineAlias(), a.board()));
  }

  static OmahaRequest.Event serverEvent(AgentEvent e) {
    return new OmahaRequest.Event(e.type(), e.result(), e.sendsErrorCode() ? e.errorCode() : -1,
        e.previousVersion() == null ? "" : e.previousVersion());
  }

  @Test
  void everyKindOfRequest_isReadBackByTheServer_withTheValuesPutIn() {
    List<AgentRequest> all = List.of(
        AgentRequest.updateCheck(InstallSource.SCHEDULER, GOLDEN, AgentEvent.bootedAfterUpdate("")),
        AgentRequest.updateCheck(InstallSource.ON_DEMAND, GOLDEN, AgentEvent.bootedAfterUpdate("3374.2.0")),
        AgentRequest.updateCheck(InstallSource.SCHEDULER, GOLDEN, AgentEvent.rolledBack()),
        AgentRequest.event(InstallSource.SCHEDULER, GOLDEN, AgentEvent.downloadStarted()),
        AgentRequest.event(InstallSource.SCHEDULER, GOLDEN, AgentEvent.downloadFinished()),
        AgentRequest.event(InstallSource.SCHEDULER, GOLDEN, AgentEvent.updateComplete()),
        AgentRequest.event(InstallSource.SCHEDULER, GOLDEN,
            AgentEvent.error(ErrorCode.PAYLOAD_HASH_MISMATCH_ERROR, ErrorCode.TEST_OMAHA_URL_FLAG)),
        AgentRequest.event(InstallSource.SCHEDULER, GOLDEN, AgentEvent.error(ErrorCode.POSTINSTALL_RUNNER_ERROR, 0)),
        AgentRequest.pingOnly(InstallSource.SCHEDULER, GOLDEN));
    for (AgentRequest req : all) {
      OmahaRequest r = serverReads(req);
      assertMachine(GOLDEN, r);
      assertEquals(req.installSource().wire(), r.installSource());
      OmahaRequest.App a = r.apps().get(0);
      assertEquals(req.ping(), a.ping(), req.toXml());
      assertEquals(req.updateCheck(), a.updateCheck(), req.toXml());
      assertEquals(req.events().stream().map(AgentRequestInteropTest::serverEvent).toList(), a.events(), req.toXml());
    }
  }

  @Test
  void errorEvent_theServerSplitsCodeAndFlags_as10And1() {
    OmahaRequest r = serverReads(AgentRequest.event(InstallSource.SCHEDULER, GOLDEN,
        AgentEvent.error(ErrorCode.PAYLOAD_HASH_MISMATCH_ERROR, ErrorCode.TEST_OMAHA_URL_FLAG)));
    long code = r.apps().get(0).events().get(0).errorCode();
    assertEquals(268435466L, code);
    assertEquals(10, dev.cairn.omaha.UpdatePolicy.baseErrorCode(code));
    assertEquals(1, dev.cairn.omaha.UpdatePolicy.errorFlags(code));
  }

  @Test
  void markupAndNonAsciiInValues_areEscaped_andReadBackUnchanged() {
    String alias = "rack \"4\" <a&b> 'n' Zürich ☃";
    Machine m = new Machine(GOLDEN.appId(), GOLDEN.version(), "beta&<x>", GOLDEN.bootId(), "o\"em", "1'2",
        GOLDEN.alephVersion(), GOLDEN.machineId(), alias, Machine.LANG, GOLDEN.board(), Machine.OS_VERSION,
        Machine.OS_PLATFORM, GOLDEN.sp());
    AgentRequest req = AgentRequest.updateCheck(InstallSource.SCHEDULER, m, AgentEvent.bootedAfterUpdate("<&>"));
    OmahaRequest r = serverReads(req);
    assertMachine(m, r);
    assertEquals("<&>", r.apps().get(0).events().get(0).previousVersion());
  }

  @Test
  void controlCharacters_whichXmlCannotCarry_areSentAsSpaces() {
    Machine m = new Machine(GOLDEN.appId(), GOLDEN.version(), GOLDEN.track(), GOLDEN.bootId(), GOLDEN.oem(),
        GOLDEN.oemVersion(), GOLDEN.alephVersion(), GOLDEN.machineId(), "a\u0001b\u001fc", Machine.LANG,
        GOLDEN.board(), Machine.OS_VERSION, Machine.OS_PLATFORM, GOLDEN.sp());
    OmahaRequest r = serverReads(AgentRequest.pingOnly(InstallSource.SCHEDULER, m));
    assertEquals("a b c", r.apps().get(0).machineAlias());
  }

  // ---- bad input

  @Test
  void requestWithNothingToSay_isRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AgentRequest(
        AgentRequest.UPDATE_ENGINE_VERSION, InstallSource.SCHEDULER, GOLDEN, false, false, List.of()));
    assertTrue(e.getMessage().contains("ping, an update check or an event"), e.getMessage());
  }

  @Test
  void missingMachineValue_isRefused_namingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Machine(GOLDEN.appId(),
        GOLDEN.version(), GOLDEN.track(), GOLDEN.bootId(), GOLDEN.oem(), GOLDEN.oemVersion(), GOLDEN.alephVersion(),
        null, "", Machine.LANG, GOLDEN.board(), Machine.OS_VERSION, Machine.OS_PLATFORM, GOLDEN.sp()));
    assertEquals("machineid must be given (\"\" when unknown), got null", e.getMessage());
  }

  @Test
  void errorCodes_haveUpdateEnginesNumbers_andFlagsAreOnlyTheFourBits() {
    assertEquals(0, ErrorCode.SUCCESS.code());
    assertEquals(9, ErrorCode.DOWNLOAD_TRANSFER_ERROR.code());
    assertEquals(12, ErrorCode.DOWNLOAD_PAYLOAD_VERIFICATION_ERROR.code());
    assertEquals(14, ErrorCode.DOWNLOAD_WRITE_ERROR.code());
    assertEquals(15, ErrorCode.NEW_ROOTFS_VERIFICATION_ERROR.code());
    assertEquals(34, ErrorCode.OMAHA_RESPONSE_INVALID.code());
    assertEquals(40, ErrorCode.OMAHA_UPDATE_DEFERRED_FOR_BACKOFF.code());
    assertEquals(44, ErrorCode.ROLLBACK_ERROR.code());
    for (ErrorCode c : ErrorCode.values()) {
      assertEquals(c, ErrorCode.of(c.code()));
    }
    assertEquals(ErrorCode.PAYLOAD_HASH_MISMATCH_ERROR.code(), ErrorCode.base(268435466));
    assertEquals("-2147483638", ErrorCode.render(ErrorCode.PAYLOAD_HASH_MISMATCH_ERROR.withFlags(ErrorCode.DEV_MODE_FLAG)));
    assertThrows(IllegalArgumentException.class, () -> ErrorCode.ERROR.withFlags(1 << 27));
    assertEquals("error code must be 0-44, got 45",
        assertThrows(IllegalArgumentException.class, () -> ErrorCode.of(45)).getMessage());
  }
}
